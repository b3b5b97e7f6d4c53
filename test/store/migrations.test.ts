import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, systemAudit } from "../../src/main.js";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres/postgres-schema.js";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite/sqlite-schema.js";
import { BACKENDS, type TestBackend, type TestDatabase } from "../helpers/backends.js";

const AT = "2026-01-01T00:00:00.000Z";

/** Brings a fresh database to schema version 1 only (what a scimgate of that release left behind). */
async function createVersion1(backend: TestBackend, db: TestDatabase): Promise<void> {
  const seed = [
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    `INSERT INTO schema_migrations VALUES (1, 'v1', '${AT}')`,
    `INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 'old', '${AT}', '${AT}')`,
  ];
  if (backend.name === "sqlite") {
    const file = new Database(db.url.replace(/^sqlite:/, ""));
    file.exec(SQLITE_MIGRATIONS[0]!.sql);
    for (const s of seed) file.exec(s);
    file.close();
    return;
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(POSTGRES_MIGRATIONS[0]!.sql);
  for (const s of seed) await client.query(s);
  await client.end();
}

describe("migrations", () => {
  it("are the same versions, in the same order, with the same names on both backends", () => {
    const shape = (ms: readonly { version: number; name: string }[]) => ms.map((m) => [m.version, m.name]);
    expect(shape(POSTGRES_MIGRATIONS)).toEqual(shape(SQLITE_MIGRATIONS));
  });

  describe.each(BACKENDS)("on $name", (backend) => {
    const dbs: TestDatabase[] = [];
    afterAll(async () => {
      for (const db of dbs) await db.drop();
    });

    it("upgrade a version-1 database in place, keeping its data", async () => {
      const db = await backend.create();
      dbs.push(db);
      await createVersion1(backend, db);
      const store = await openStore(db.url);
      try {
        expect(await store.getTenant("t1")).toMatchObject({ name: "old", createdAt: AT });
        const config = { roles: [{ name: "admin" }], defaultRoles: [], mappings: [] };
        expect(await store.putRoleConfig("t1", config, systemAudit("put", "RoleConfig", ""))).toEqual({
          changed: true,
        });
        expect(await store.getRoleConfig("t1")).toEqual(config);
      } finally {
        await store.close();
      }
      // A second start finds nothing to do and changes nothing.
      const again = await openStore(db.url);
      expect(await again.getRoleConfig("t1")).toEqual({
        roles: [{ name: "admin" }],
        defaultRoles: [],
        mappings: [],
      });
      await again.close();
    });
  });
});
