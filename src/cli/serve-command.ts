import type { Command } from "commander";
import { pino } from "pino";
import { parseServiceConfig } from "../config.js";
import { openStore, startService } from "../main.js";
import type { Store } from "../store/store.js";
import { out } from "./output.js";

/** The migrations this start applied, when the store reports them (both backends do). */
function appliedMigrations(store: Store): readonly number[] | undefined {
  return (store as { appliedMigrations?: readonly number[] }).appliedMigrations;
}

async function serve(): Promise<void> {
  const config = parseServiceConfig(process.env);
  const logger = pino({ level: config.logLevel });
  // Pending migrations run inside startService; one that rebuilds a table takes seconds per million rows.
  logger.info("opening the database and applying any pending migrations");
  const svc = await startService({
    databaseUrl: config.databaseUrl,
    port: config.port,
    host: config.host,
    publicUrl: config.publicUrl,
    tokenPepper: config.tokenPepper,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    bootstrap: true,
    auditRetentionDays: config.auditRetentionDays,
    config,
  });
  const applied = appliedMigrations(svc.store);
  if (applied !== undefined && applied.length > 0)
    logger.info({ migrations: applied }, "applied database migrations");
  logger.info(
    { url: svc.url, projectId: svc.projectId, database: config.databaseUrl.replace(/\/\/[^@]*@/, "//***@") },
    "scimgate listening",
  );
  if (svc.bootstrap) {
    out("");
    out("scimgate created a 'default' tenant on this empty database. Point Entra (or curl) at it:");
    out(`  Tenant URL:   ${svc.scimUrl}`);
    out(`  Secret Token: ${svc.bootstrap.token}`);
    out(
      "The token is shown only this once. Add ?aadOptscim062020 to the Tenant URL in Entra for RFC-style PATCH.",
    );
    out("");
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    // A hard stop if draining takes too long (e.g. a stuck client keeping a connection open).
    setTimeout(() => process.exit(1), 10_000).unref();
    svc.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

/** Registers `serve` and `migrate`. */
export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("run the SCIM service (settings from PORT, HOST, DATABASE_URL, PUBLIC_URL, LOG_LEVEL, …)")
    .action(serve);
  program
    .command("migrate")
    .description("apply pending database migrations and exit")
    .action(async () => {
      const config = parseServiceConfig(process.env);
      const store = await openStore(config.databaseUrl, config);
      await store.close();
      const applied = appliedMigrations(store);
      if (applied === undefined) out("migrations applied");
      else if (applied.length === 0) out("database schema is up to date; no migrations to apply");
      else out(`applied migrations ${applied.join(", ")}`);
    });
}
