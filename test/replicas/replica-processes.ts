import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = ["--import", "tsx", "src/cli/main.ts"];

/** What a finished CLI run printed. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function env(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", ...extra };
}

/** Runs `scimgate <args>` as its own process (exactly what an operator runs) and collects its output. */
export async function runCli(databaseUrl: string, args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: env(databaseUrl) });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  server.close();
  await once(server, "close");
  return port;
}

/** A running `scimgate serve` process. */
export interface Replica {
  /** Tenant URL, `http://127.0.0.1:PORT/scim/v2`. */
  readonly scimUrl: string;
  stop(): Promise<void>;
}

async function waitHealthy(base: string, child: ChildProcess, stderr: () => string): Promise<void> {
  // Bounded: about 60 s at 100 ms per try, enough for tsx's first compile on a slow CI machine.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`scimgate serve exited ${child.exitCode}: ${stderr()}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`scimgate serve did not become healthy: ${stderr()}`);
}

/** Starts `scimgate serve` on a free port against `databaseUrl` and waits until /healthz answers. */
export async function startReplica(databaseUrl: string): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [...CLI, "serve"], {
    cwd: ROOT,
    env: env(databaseUrl, { PORT: String(port), HOST: "127.0.0.1" }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base, child, () => stderr);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    scimUrl: `${base}/scim/v2`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
