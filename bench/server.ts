import { parseServiceConfig } from "../src/config.js";
import { startService } from "../src/main.js";

/**
 * The server under test, in its own process: scimgate's own startService on BENCH_DATABASE_URL, loopback,
 * no request logging (as with LOG_LEVEL=warn). Reports its port to the parent over IPC.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error("BENCH_DATABASE_URL is not set");
  // The environment's PG_* settings apply as they would to `scimgate serve` (e.g. PG_PREPARED_STATEMENTS=off).
  const config = parseServiceConfig(process.env);
  const svc = await startService({ databaseUrl, port: 0, host: "127.0.0.1", logger: false, config });
  const port = Number(new URL(svc.url).port);
  process.send?.({ port });
  process.on("message", (m) => {
    if (m === "stop") svc.close().then(() => process.exit(0));
  });
  process.on("disconnect", () => process.exit(0));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench server failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
