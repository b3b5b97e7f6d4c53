import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import pg from "pg";
import { PG_ADMIN_URL } from "../helpers/backends.js";

async function reachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Starts the machine's PostgreSQL cluster the way .ci/run does, if it is installed. */
function tryStart(): void {
  try {
    const version = readdirSync("/etc/postgresql").sort().at(-1);
    if (version)
      execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"], {
        stdio: "ignore",
      });
  } catch {
    // Not installed or not startable here; reported below.
  }
}

/**
 * Vitest global setup: the PostgreSQL half of the suites needs a server at 127.0.0.1:5432. It is started
 * if it is installed but down. In CI a missing server fails the run loudly; elsewhere the PostgreSQL
 * suites are skipped with the reason printed, and the SQLite suites still run.
 */
export default async function setup(): Promise<void> {
  if (await reachable()) return;
  tryStart();
  for (let i = 0; i < 20 && !(await reachable()); i++) await new Promise((r) => setTimeout(r, 500));
  if (await reachable()) return;
  const reason = `PostgreSQL is not reachable at ${PG_ADMIN_URL}`;
  if (process.env.CI) throw new Error(`${reason}; CI needs it (see .ci/run)`);
  process.env.SCIMGATE_SKIP_POSTGRES = reason;
  process.stderr.write(
    `\n*** ${reason}: PostgreSQL suites are SKIPPED. Start PostgreSQL to run them. ***\n\n`,
  );
}
