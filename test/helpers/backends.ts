import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Where a test database lives, and how to throw it away. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A backend the suites run against. */
export interface TestBackend {
  readonly name: "sqlite" | "postgres";
  create(): Promise<TestDatabase>;
}

/** PostgreSQL admin URL for creating throw-away databases (trust auth on this machine). */
export const PG_ADMIN_URL = process.env.SCIMGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function createPostgres(): Promise<TestDatabase> {
  const name = `scimgate_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "scimgate-db-"));
  return {
    url: `sqlite:${join(dir, "scimgate.db")}`,
    drop: async () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }),
  };
}

/**
 * Every backend; suites use `describe.each(BACKENDS)` so each runs on SQLite and PostgreSQL. PostgreSQL is
 * left out only when the global setup (test/setup/postgres.ts) found no server outside CI, and said so.
 */
export const BACKENDS: readonly TestBackend[] = [
  { name: "sqlite", create: createSqlite },
  ...(process.env.SCIMGATE_SKIP_POSTGRES ? [] : [{ name: "postgres" as const, create: createPostgres }]),
];
