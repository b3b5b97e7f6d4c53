import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** The backends every store and HTTP suite runs against. */
export const BACKENDS = ["sqlite", "postgres"] as const;

/** A backend name. */
export type Backend = (typeof BACKENDS)[number];

/**
 * The PostgreSQL maintenance database the tests create their databases from. CI starts PostgreSQL on
 * 127.0.0.1:5432 with trust auth (.ci/run); SCIMGATE_TEST_PG_URL points elsewhere.
 */
export const PG_ADMIN_URL = process.env.SCIMGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database of its own for one test file. */
export interface TestDatabase {
  readonly backend: Backend;
  /** A DATABASE_URL for it. */
  readonly url: string;
  /** Removes it (PostgreSQL: DROP DATABASE … WITH (FORCE), closing leftover connections). */
  drop(): Promise<void>;
}

/** `PG_ADMIN_URL` with its database name replaced. */
export function pgUrl(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    // Fail loudly: a silently skipped backend would let a PostgreSQL regression through CI.
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (start it, or set SCIMGATE_TEST_PG_URL): ${String(err)}`,
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on `backend`: a temp SQLite file, or `scimgate_test_<random>` on PostgreSQL. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "scimgate-store-"));
    return {
      backend,
      url: `sqlite:${join(dir, "scimgate.db")}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `scimgate_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    backend,
    url: pgUrl(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
