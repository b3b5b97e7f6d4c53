import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, systemAudit } from "../../src/main.js";
import { parseFilter } from "../../src/scim/filter/parse.js";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres/postgres-schema.js";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite/sqlite-schema.js";
import { BACKENDS, type TestBackend, type TestDatabase } from "../helpers/backends.js";
import { runCli } from "../replicas/replica-processes.js";

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

describe("SQLite migration 3 (users keyed by row id)", () => {
  it("rebuilds a version-2 users table in place, keeping users, e-mails, memberships and cascades", async () => {
    const backend = BACKENDS.find((b) => b.name === "sqlite")!;
    const db = await backend.create();
    try {
      const file = new Database(db.url.replace(/^sqlite:/, ""));
      file.exec(SQLITE_MIGRATIONS[0]!.sql);
      file.exec(SQLITE_MIGRATIONS[1]!.sql);
      file.exec(`
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES (1, 'v1', '${AT}'), (2, 'v2', '${AT}');
        INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 'old', '${AT}', '${AT}');`);
      const addUser = file.prepare(
        `INSERT INTO users (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, doc, version,
           created, last_modified) VALUES ('t1', ?, ?, lower(?), ?, ?, 1, ?, 3, '${AT}', '${AT}')`,
      );
      for (const [id, name] of [
        ["u1", "Ann@Example.com"],
        ["u2", "Bob@Example.com"],
      ] as const) {
        const doc = { userName: name, emails: [{ type: "work", value: name }], active: true };
        addUser.run(id, name, name, `ext-${id}`, name, JSON.stringify(doc));
        file
          .prepare(
            "INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc) VALUES ('t1', ?, 'work', lower(?))",
          )
          .run(id, name);
      }
      file.exec(`
        INSERT INTO groups (tenant_id, id, display_name, display_name_lc, doc, version, created, last_modified)
          VALUES ('t1', 'g1', 'Staff', 'staff', '{"displayName":"Staff"}', 1, '${AT}', '${AT}');
        INSERT INTO group_members VALUES ('t1', 'g1', 'u1', 'User'), ('t1', 'g1', 'u2', 'User');`);
      file.close();

      const store = await openStore(db.url);
      try {
        const u1 = await store.getUser("t1", "u1", { groups: true });
        expect(u1).toMatchObject({ id: "u1", version: 3, doc: { userName: "Ann@Example.com" } });
        expect(u1?.groups?.map((g) => g.value)).toEqual(["g1"]);
        const byEmail = await store.listUsers("t1", {
          startIndex: 1,
          count: 10,
          filter: parseFilter('emails[type eq "work"].value eq "bob@example.com"'),
        });
        expect(byEmail.resources.map((u) => u.id)).toEqual(["u2"]);
        // The e-mail rows were not cascaded away by the rebuild, and cascades still work after it.
        await store.deleteUser("t1", "u2", {}, systemAudit("delete", "User", "u2"));
        const g = await store.getGroup("t1", "g1", { members: true });
        expect(g?.members?.map((m) => m.value)).toEqual(["u1"]);
        await expect(
          store.createUser("t1", { userName: "ann@example.com" }, systemAudit("c", "User", "")),
        ).rejects.toThrow(/userName/);
      } finally {
        await store.close();
      }
      const after = new Database(db.url.replace(/^sqlite:/, ""), { readonly: true });
      const sql = (
        after.prepare("SELECT sql FROM sqlite_schema WHERE name = 'users'").get() as { sql: string }
      ).sql;
      expect(sql).not.toMatch(/WITHOUT ROWID/);
      expect(after.prepare("SELECT count(*) AS n FROM user_emails").get()).toEqual({ n: 1 });
      expect(after.pragma("foreign_key_check")).toEqual([]);
      after.close();
    } finally {
      await db.drop();
    }
  });
});

describe("scimgate migrate on SQLite", () => {
  it("says which migrations it applied, then that there is nothing to apply", async () => {
    const db = await BACKENDS.find((b) => b.name === "sqlite")!.create();
    try {
      const first = await runCli(db.url, ["migrate"]);
      expect(first.code).toBe(0);
      expect(first.stdout.trim()).toBe(
        `applied migrations ${SQLITE_MIGRATIONS.map((m) => m.version).join(", ")}`,
      );
      const second = await runCli(db.url, ["migrate"]);
      expect(second.stdout.trim()).toBe("database schema is up to date; no migrations to apply");
    } finally {
      await db.drop();
    }
  });
});
