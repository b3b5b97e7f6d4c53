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

describe("SQLite migration 5 (memberships keyed by integers)", () => {
  it("rebuilds users, groups and memberships of a version-4 database, keeping ids, members and statistics right", async () => {
    const backend = BACKENDS.find((b) => b.name === "sqlite")!;
    const db = await backend.create();
    const path = db.url.replace(/^sqlite:/, "");
    try {
      const file = new Database(path);
      for (const m of SQLITE_MIGRATIONS.slice(0, 4)) file.exec(m.sql);
      file.exec(`
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES (1, 'v1', '${AT}'), (2, 'v2', '${AT}'), (3, 'v3', '${AT}'),
          (4, 'v4', '${AT}');
        INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 'one', '${AT}', '${AT}'),
          ('t2', 'two', '${AT}', '${AT}');`);
      const addUser = file.prepare(
        `INSERT INTO users (tenant_id, id, user_name, user_name_lc, display_name, active, doc, version, created,
           last_modified) VALUES (?, ?, ?, lower(?), ?, 1, ?, 1, '${AT}', '${AT}')`,
      );
      // Row ids with gaps, as deletions leave them: the users' new keys must be these row ids.
      for (const [t, id, name] of [
        ["t1", "u1", "Ann"],
        ["t1", "gone", "Gone"],
        ["t1", "u2", "Bob"],
        ["t2", "u3", "Cyd"],
      ] as const) {
        addUser.run(
          t,
          id,
          `${name}@x.io`,
          `${name}@x.io`,
          name,
          JSON.stringify({ userName: `${name}@x.io` }),
        );
      }
      file.exec(`DELETE FROM users WHERE id = 'gone';`);
      const rowids = new Map(
        (file.prepare("SELECT id, rowid AS r FROM users").all() as { id: string; r: number }[]).map((x) => [
          x.id,
          x.r,
        ]),
      );
      const addGroup = file.prepare(
        `INSERT INTO groups (tenant_id, id, display_name, display_name_lc, doc, version, created, last_modified)
           VALUES (?, ?, ?, lower(?), ?, 1, ?, ?)`,
      );
      for (const [t, id, name, at] of [
        ["t1", "g1", "Staff", "2026-01-03T00:00:00.000Z"],
        ["t1", "g2", "Team", "2026-01-02T00:00:00.000Z"],
        ["t2", "g3", "Other", AT],
      ] as const) {
        addGroup.run(t, id, name, name, JSON.stringify({ displayName: name }), at, at);
      }
      file.exec(`
        INSERT INTO group_members VALUES ('t1', 'g1', 'u1', 'User'), ('t1', 'g1', 'u2', 'User'),
          ('t1', 'g1', 'g2', 'Group'), ('t1', 'g2', 'u2', 'User'), ('t2', 'g3', 'u3', 'User');
        ANALYZE;`);
      file.close();

      const store = await openStore(db.url);
      try {
        const groupsOf = async (t: string, u: string) =>
          (await store.getUser(t, u, { groups: true }))?.groups?.map((g) => g.value);
        expect(await groupsOf("t1", "u1")).toEqual(["g1"]);
        expect(await groupsOf("t1", "u2")).toEqual(["g1", "g2"]);
        expect(await groupsOf("t2", "u3")).toEqual(["g3"]);
        const g1 = await store.getGroup("t1", "g1", { members: true });
        expect(g1?.members?.map((m) => [m.value, m.type, m.display]).sort()).toEqual([
          ["g2", "Group", "Team"],
          ["u1", "User", "Ann"],
          ["u2", "User", "Bob"],
        ]);
        const q = (filter: string) => ({ startIndex: 1, count: 10, filter: parseFilter(filter) });
        expect(
          (await store.listGroups("t1", q('members[value eq "g2"]'))).resources.map((g) => g.id),
        ).toEqual(["g1"]);
        expect((await store.listUsers("t1", q('groups[value eq "g1"]'))).resources.map((u) => u.id)).toEqual([
          "u1",
          "u2",
        ]);
        // A member of another tenant's group is no member here.
        expect((await store.listGroups("t1", q('members[value eq "u3"]'))).totalResults).toBe(0);
        // Deleting a group takes its own memberships and those it had in other groups.
        await store.deleteGroup("t1", "g2", {}, systemAudit("delete", "Group", "g2"));
        expect(
          (await store.getGroup("t1", "g1", { members: true }))?.members?.map((m) => m.value).sort(),
        ).toEqual(["u1", "u2"]);
        expect(await groupsOf("t1", "u2")).toEqual(["g1"]);
        await store.deleteTenant("t2", systemAudit("delete", "Tenant", "t2"));
      } finally {
        await store.close();
      }
      const after = new Database(path, { readonly: true });
      const schemaOf = (name: string) =>
        (after.prepare("SELECT sql FROM sqlite_schema WHERE name = ?").get(name) as { sql: string }).sql;
      expect(schemaOf("users")).toMatch(/pk INTEGER PRIMARY KEY/);
      expect(schemaOf("groups")).toMatch(/pk INTEGER PRIMARY KEY/);
      expect(schemaOf("group_members")).not.toMatch(/tenant_id|member_id/);
      // Users kept their row ids as keys; the groups were laid out in creation order.
      const pks = after.prepare("SELECT id, pk FROM users ORDER BY pk").all();
      expect(pks).toEqual([
        { id: "u1", pk: rowids.get("u1") },
        { id: "u2", pk: rowids.get("u2") },
      ]);
      expect(rowids.get("u2")).toBe(3);
      expect(after.prepare("SELECT id FROM groups ORDER BY pk").all()).toEqual([{ id: "g1" }]);
      expect(after.prepare("SELECT group_pk, member_group, member_pk FROM group_members").all()).toEqual([
        { group_pk: 2, member_group: 0, member_pk: 1 },
        { group_pk: 2, member_group: 0, member_pk: 3 },
      ]);
      // The old layout's ANALYZE rows went with the old tables; the typical ones for the new layout replaced them.
      expect(after.prepare("SELECT stat FROM sqlite_stat1 WHERE idx = 'group_members_member'").all()).toEqual(
        [{ stat: "3000000 1500000 3" }],
      );
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
