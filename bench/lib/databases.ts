import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Seeder } from "./seed.js";
import { PostgresSeeder } from "./seed-postgres.js";
import { SqliteSeeder } from "./seed-sqlite.js";

/** The backends the bench runs on. */
export type BackendName = "sqlite" | "postgres";

/** A throw-away database for one bench phase. */
export interface BenchDatabase {
  readonly backend: BackendName;
  readonly url: string;
  /** The SQLite file (for the baseline), when the backend is SQLite. */
  readonly sqliteFile: string | undefined;
  seeder(tenantId: string): Seeder;
  drop(): Promise<void>;
}

/** PostgreSQL admin URL (same default as the test suites: trust auth on 127.0.0.1). */
export const PG_ADMIN_URL = process.env.SCIMGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Creates an empty database on `backend` (a temp SQLite file, or a fresh PostgreSQL database). */
export async function createDatabase(backend: BackendName): Promise<BenchDatabase> {
  if (backend === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "scimgate-bench-"));
    const file = join(dir, "bench.db");
    return {
      backend,
      url: `sqlite:${file}`,
      sqliteFile: file,
      seeder: (tenantId) => new SqliteSeeder(file, tenantId),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `scimgate_bench_${randomBytes(5).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    sqliteFile: undefined,
    seeder: (tenantId) => new PostgresSeeder(url.toString(), tenantId),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
