import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { systemAudit } from "../../src/main.js";
import { parseFilter } from "../../src/scim/filter/parse.js";
import type { DocChange } from "../../src/store/doc-change.js";
import { createPgPool, type PgSettings, StatementNames } from "../../src/store/postgres/postgres-db.js";
import {
  DEFAULT_PG_SETTINGS,
  openPostgresStore,
  type PostgresStore,
} from "../../src/store/postgres/postgres-store.js";
import { Tenancy } from "../../src/tenancy/tenancy.js";
import { describePostgres, POSTGRES, type TestDatabase } from "./databases.js";
import { type HookedPgApp, openHookedPgApp } from "./pg-hooked-app.js";
import { pgError, wrapPool } from "./pg-pool-wrapper.js";

const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** A statement as the test names it: its first words, enough to tell which write or read it is. */
function label(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  if (s.startsWith("WITH upd AS (UPDATE users ")) {
    return `UPDATE users if unchanged + audit${s.includes("new_emails AS (INSERT INTO user_emails") ? " + emails" : ""}`;
  }
  if (/^SELECT id, origin, doc, version, created, last_modified FROM users WHERE/.test(s)) return "read user";
  if (s.startsWith("WITH audit_row AS (INSERT INTO audit ")) {
    // The write itself follows its WITH items.
    const main = [...s.matchAll(/\) (INSERT INTO \w+|UPDATE \w+)/g)].at(-1)?.[1];
    return `${main} + audit${s.includes("emails AS (INSERT INTO user_emails") ? " + emails" : ""}`;
  }
  if (/^SELECT .* FROM access_keys/.test(s)) return "key";
  if (/^SELECT .* FOR NO KEY UPDATE$/.test(s)) return `lock ${/FROM (\w+)/.exec(s)?.[1]}`;
  if (/^SELECT .* FROM \(SELECT id FROM users .* FOR KEY SHARE\) u UNION ALL/.test(s)) return "member types";
  if (/^SELECT count\(\*\)/.test(s)) return "count";
  if (/^SELECT .* FROM users u WHERE/.test(s)) return "users page";
  if (/^SELECT .* FROM groups g WHERE/.test(s)) return "groups page";
  if (/^SELECT m\.member_id, g\.id/.test(s)) return "groups of the page's users";
  return s.split(" ").slice(0, 3).join(" ");
}

/**
 * Round trips per request on PostgreSQL: every statement is one, and for a Node.js process each costs
 * far more than the work inside it (the bench measures it). Entra's steady traffic (lookups, attribute and
 * member PATCHes) and its initial sync (creates) take as few as their semantics allow: a write's audit row
 * travels with the write, a lookup's groups with the page, a create is one autocommitted statement.
 */
describePostgres("PostgreSQL statements per Entra request", () => {
  let db: TestDatabase;
  let t: HookedPgApp;
  let seen: string[] = [];
  let fail: { match: RegExp; error: Error } | undefined;

  beforeAll(async () => {
    db = await POSTGRES.create();
    const hook = (sql: string) => {
      seen.push(label(sql));
      if (fail?.match.test(sql)) {
        const { error } = fail;
        fail = undefined;
        throw error;
      }
    };
    t = await openHookedPgApp(db, "trips", hook, { attempts: 3, baseDelayMs: 1 });
    // The key's first use records its last-used time (at most once a minute): not part of what is counted.
    await request("GET", "/Users?count=1");
  });
  beforeEach(() => {
    seen = [];
    fail = undefined;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const request: HookedPgApp["request"] = (method, url, payload) => t.request(method, url, payload);
  const createUser = async (userName: string, email = userName) => {
    const res = await request("POST", "/Users", {
      schemas: [USER_SCHEMA],
      userName,
      emails: [{ type: "work", value: email, primary: true }],
    });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  const createGroup = async (displayName: string) => {
    const res = await request("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };
  const patch = (resource: "Users" | "Groups", id: string, Operations: unknown[]) =>
    request("PATCH", `/${resource}/${id}`, { schemas: [PATCH_SCHEMA], Operations });
  /** The statements `run` sends (what ran before it is not counted). */
  const statementsOf = async (run: () => Promise<unknown>) => {
    seen = [];
    await run();
    return seen;
  };

  it("creates a user, with its e-mail and audit rows, in one statement", async () => {
    const trips = await statementsOf(() => createUser("create@example.com"));
    expect(trips).toEqual(["key", "INSERT INTO users + audit + emails"]);
    const found = await request("GET", '/Users?filter=emails[type eq "work"].value eq "create@example.com"');
    expect(found.json().totalResults).toBe(1);
  });

  it("creates an empty group in one statement", async () => {
    expect(await statementsOf(() => createGroup("empty group"))).toEqual([
      "key",
      "INSERT INTO groups + audit",
    ]);
  });

  it("answers a userName lookup, groups included, in one statement", async () => {
    const userId = await createUser("lookup@example.com");
    const groupId = await createGroup("lookup group");
    await patch("Groups", groupId, [{ op: "Add", path: "members", value: [{ value: userId }] }]);
    let res: Awaited<ReturnType<typeof request>> | undefined;
    const trips = await statementsOf(async () => {
      res = await request("GET", '/Users?filter=userName eq "lookup@example.com"');
    });
    expect(trips).toEqual(["key", "users page"]);
    expect(res?.json().Resources[0].groups).toEqual([
      expect.objectContaining({ value: groupId, display: "lookup group" }),
    ]);
  });

  it("reads a later page's groups for its own rows only, in a second statement", async () => {
    const groupId = await createGroup("paged group");
    const ids = [await createUser("paged-1@example.com"), await createUser("paged-2@example.com")];
    await patch("Groups", groupId, [{ op: "Add", path: "members", value: ids.map((value) => ({ value })) }]);
    let res: Awaited<ReturnType<typeof request>> | undefined;
    const trips = await statementsOf(async () => {
      res = await request("GET", '/Users?filter=userName sw "paged-"&sortBy=userName&startIndex=2&count=1');
    });
    // A later page cannot tell the total from its own rows: it counts them.
    expect(trips).toEqual(["key", "users page", "count", "groups of the page's users"]);
    expect(res?.json()).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(
      res?.json().Resources.map((u: { id: string; groups: { value: string }[] }) => [u.id, u.groups]),
    ).toEqual([[ids[1], [expect.objectContaining({ value: groupId, display: "paged group" })]]]);
  });

  it("answers a group lookup without members in one statement", async () => {
    await createGroup("find me");
    const trips = await statementsOf(() =>
      request("GET", '/Groups?filter=displayName eq "find me"&excludedAttributes=members'),
    );
    expect(trips).toEqual(["key", "groups page"]);
  });

  it("writes an attribute PATCH, its audit row and any e-mail change in one statement after one read", async () => {
    const userId = await createUser("patch@example.com");
    const title = await statementsOf(() =>
      patch("Users", userId, [{ op: "Replace", path: "title", value: "Boss" }]),
    );
    expect(title).toEqual(["key", "read user", "UPDATE users if unchanged + audit"]);
    const email = await statementsOf(() =>
      patch("Users", userId, [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "new@example.com" },
      ]),
    );
    expect(email).toEqual(["key", "read user", "UPDATE users if unchanged + audit + emails"]);
    const byNew = await request("GET", '/Users?filter=emails[type eq "work"].value eq "new@example.com"');
    expect(byNew.json().Resources.map((u: { id: string }) => u.id)).toEqual([userId]);
    const byOld = await request("GET", '/Users?filter=emails[type eq "work"].value eq "patch@example.com"');
    expect(byOld.json().totalResults).toBe(0);
    const trail = await t.store.queryAudit({
      tenantId: t.tenantId,
      resourceType: "User",
      resourceId: userId,
      limit: 10,
    });
    expect(trail.map((a) => `${a.operation} ${a.outcome}`).sort()).toEqual([
      "create success",
      "patch success",
      "patch success",
    ]);
  });

  it("adds a member with one statement to find it and one to insert it", async () => {
    const userId = await createUser("member@example.com");
    const groupId = await createGroup("members");
    const add = await statementsOf(() =>
      patch("Groups", groupId, [{ op: "Add", path: "members", value: [{ value: userId }] }]),
    );
    expect(add).toEqual([
      "key",
      "BEGIN",
      "lock groups",
      "UPDATE groups + audit",
      "member types",
      "INSERT INTO group_members",
      "COMMIT",
    ]);
    const remove = await statementsOf(() =>
      patch("Groups", groupId, [{ op: "Remove", path: `members[value eq "${userId}"]` }]),
    );
    expect(remove).toEqual([
      "key",
      "BEGIN",
      "lock groups",
      "UPDATE groups + audit",
      "DELETE FROM group_members",
      "COMMIT",
    ]);
  });

  it("tells users from nested groups among new members, and refuses an unknown one", async () => {
    const userId = await createUser("nested@example.com");
    const child = await createGroup("child");
    const parent = await createGroup("parent");
    const ok = await patch("Groups", parent, [
      { op: "Add", path: "members", value: [{ value: userId }, { value: child }] },
    ]);
    expect(ok.statusCode).toBe(204);
    const members = (await request("GET", `/Groups/${parent}`)).json().members;
    expect(members.map((m: { value: string; type: string }) => [m.value, m.type]).sort()).toEqual(
      [
        [userId, "User"],
        [child, "Group"],
      ].sort(),
    );
    const bad = await patch("Groups", parent, [{ op: "Add", path: "members", value: [{ value: "nobody" }] }]);
    expect(bad.statusCode).toBe(400);
  });

  it("applies nothing of a one-statement create that fails: no user, e-mail or success audit row", async () => {
    await createUser("taken@example.com");
    const res = await request("POST", "/Users", {
      schemas: [USER_SCHEMA],
      userName: "TAKEN@example.com",
      emails: [{ type: "work", value: "only-in-the-failed-create@example.com" }],
    });
    expect(res.statusCode).toBe(409);
    const byEmail = await request(
      "GET",
      '/Users?filter=emails[type eq "work"].value eq "only-in-the-failed-create@example.com"',
    );
    expect(byEmail.json().totalResults).toBe(0);
    const trail = await t.store.queryAudit({ tenantId: t.tenantId, resourceType: "User", limit: 100 });
    expect(trail.filter((a) => a.outcome === "success" && a.operation === "create").length).toBe(
      (await request("GET", "/Users?count=0")).json().totalResults,
    );
  });

  it("re-runs a one-statement create after a serialization failure, creating the user once", async () => {
    fail = { match: /INSERT INTO users/, error: pgError("40001") };
    const trips = await statementsOf(() => createUser("retried@example.com"));
    expect(trips.filter((t) => t.startsWith("INSERT INTO users"))).toHaveLength(2);
    const found = await request("GET", '/Users?filter=userName eq "retried@example.com"');
    expect(found.json().totalResults).toBe(1);
  });

  it("answers 503 and never re-runs a one-statement create whose connection drops: it may have committed", async () => {
    fail = { match: /INSERT INTO users/, error: pgError("ECONNRESET") };
    let status = 0;
    const trips = await statementsOf(async () => {
      status = (await request("POST", "/Users", { schemas: [USER_SCHEMA], userName: "dropped@example.com" }))
        .statusCode;
    });
    expect(status).toBe(503);
    expect(trips.filter((t) => t.startsWith("INSERT INTO users"))).toHaveLength(1);
  });
});

describePostgres("PostgreSQL prepared statements", () => {
  const open = async (settings: PgSettings) => {
    const db = await POSTGRES.create();
    // One connection, so the test sees the statements prepared on the connection the store used.
    const pool = createPgPool(db.url, { ...settings, poolSize: 1 });
    const store = await openPostgresStore(db.url, settings, { pool: wrapPool(pool, () => {}) });
    const tenancy = await Tenancy.open(store);
    const t = await tenancy.createTenant("prepared", false, systemAudit("create", "Tenant", ""));
    const audit = systemAudit("create", "User", "");
    for (const name of ["ada", "bob"])
      await store.createUser(t.id, { schemas: [USER_SCHEMA], userName: `${name}@example.com` }, audit);
    const lookup = async (userName: string) => {
      const filter = parseFilter(`userName eq "${userName}"`);
      const page = await store.listUsers(t.id, { startIndex: 1, count: 100, filter }, { groups: true });
      return page.resources.map((u) => u.doc.userName);
    };
    const prepared = async () =>
      (await pool.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements")).rows.map(
        (r) => r.statement,
      );
    const plans = async (fragment: string) =>
      (
        await pool.query<{ generic_plans: string; custom_plans: string }>(
          "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1",
          [`%${fragment}%`],
        )
      ).rows.map((r) => ({ generic: Number(r.generic_plans), custom: Number(r.custom_plans) }));
    const close = async () => {
      await store.close();
      await db.drop();
    };
    const setting = async (name: string) =>
      (await pool.query<{ value: string }>("SELECT current_setting($1) AS value", [name])).rows[0]?.value;
    return { lookup, prepared, plans, setting, close };
  };

  it("prepares a lookup once and runs it with each lookup's own values", async () => {
    const s = await open(DEFAULT_PG_SETTINGS);
    try {
      expect(await s.lookup("ada@example.com")).toEqual(["ada@example.com"]);
      expect(await s.lookup("BOB@example.com")).toEqual(["bob@example.com"]);
      expect(await s.lookup("carol@example.com")).toEqual([]);
      const lookups = (await s.prepared()).filter((t) => t.includes("FROM users u WHERE"));
      expect(lookups).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("plans a prepared lookup for each run's values, never with a generic plan", async () => {
    // A generic plan for a userName lookup, chosen while a tenant is nearly empty (PostgreSQL 15, no
    // statistics yet), walks the tenant in creation order; the connections forbid generic plans outright.
    const s = await open(DEFAULT_PG_SETTINGS);
    try {
      expect(await s.setting("plan_cache_mode")).toBe("force_custom_plan");
      for (let i = 0; i < 8; i++) await s.lookup(`nobody-${i}@example.com`);
      expect(await s.plans("FROM users u WHERE")).toEqual([{ generic: 0, custom: 8 }]);
    } finally {
      await s.close();
    }
  });

  it("prepares nothing when PG_PREPARED_STATEMENTS is off", async () => {
    const s = await open({ ...DEFAULT_PG_SETTINGS, preparedStatements: false });
    try {
      expect(await s.lookup("ada@example.com")).toEqual(["ada@example.com"]);
      expect(await s.prepared()).toEqual([]);
      expect(await s.setting("plan_cache_mode")).toBe("auto");
    } finally {
      await s.close();
    }
  });
});

describe("StatementNames", () => {
  it("gives each distinct text one name, the same every time, and none past its bound", () => {
    const names = new StatementNames(2);
    const a = names.nameOf("SELECT 1");
    const b = names.nameOf("SELECT 2");
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
    expect(names.nameOf("SELECT 1")).toBe(a);
    expect(names.nameOf("SELECT 3")).toBeUndefined();
    expect(names.nameOf("SELECT 2")).toBe(b);
  });
});

/**
 * A user write reads the user, then writes on condition that the row is still at the version it read.
 * These tests let another write land in between, at the moment the conditional write is sent.
 */
describePostgres("PostgreSQL user writes racing other writes", () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let pool: pg.Pool;
  let tenantId = "";
  /** Runs before each conditional user write this many times (then no more). */
  let interleave: { times: number; run: (userId: string) => Promise<void> } | undefined;
  let conditionalWrites = 0;
  const audit = systemAudit("patch", "User", "");

  beforeAll(async () => {
    db = await POSTGRES.create();
    pool = createPgPool(db.url, { ...DEFAULT_PG_SETTINGS, poolSize: 4 });
    store = await openPostgresStore(db.url, DEFAULT_PG_SETTINGS, {
      pool: wrapPool(pool, async (sql, params) => {
        if (!sql.startsWith("WITH upd AS (UPDATE users ")) return;
        conditionalWrites++;
        if (interleave && interleave.times > 0) {
          interleave.times--;
          // The user's id is the UPDATE's tenth parameter (after its eight SET values and the tenant).
          await interleave.run(String(params[9]));
        }
      }),
    });
    const tenancy = await Tenancy.open(store);
    tenantId = (await tenancy.createTenant("race", false, systemAudit("create", "Tenant", ""))).id;
  });
  beforeEach(() => {
    interleave = undefined;
    conditionalWrites = 0;
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const newUser = async (userName: string) =>
    (
      await store.createUser(
        tenantId,
        { schemas: [USER_SCHEMA], userName },
        systemAudit("create", "User", ""),
      )
    ).id;
  /** Another replica's write: sets `title` and moves the version on, committed before ours runs. */
  const sneak = (title: string) => async (userId: string) => {
    await pool.query(
      `UPDATE users SET doc = jsonb_set(doc, '{title}', to_jsonb($1::text)), version = version + 1
       WHERE tenant_id = $2 AND id = $3`,
      [title, tenantId, userId],
    );
  };
  const replace = (path: string, value: unknown): DocChange => ({ patch: [{ op: "replace", path, value }] });

  it("applies the change again to what the other write left, losing neither", async () => {
    const id = await newUser("race-1@example.com");
    interleave = { times: 1, run: sneak("from the other write") };
    const out = await store.updateUser(tenantId, id, replace("displayName", "from this write"), {}, audit);
    expect(conditionalWrites).toBe(2);
    expect(out.version).toBe(3);
    const stored = await store.getUser(tenantId, id);
    expect(stored?.doc).toMatchObject({ title: "from the other write", displayName: "from this write" });
    expect(stored?.version).toBe(3);
  });

  it("answers 412 when If-Match named the version the other write replaced, and writes nothing", async () => {
    const id = await newUser("race-2@example.com");
    interleave = { times: 1, run: sneak("from the other write") };
    await expect(
      store.updateUser(tenantId, id, replace("displayName", "from this write"), { ifMatch: 1 }, audit),
    ).rejects.toMatchObject({ code: "precondition_failed" });
    const stored = await store.getUser(tenantId, id);
    expect(stored?.doc.displayName).toBeUndefined();
    expect(stored?.version).toBe(2);
  });

  it("gives up with 'unavailable' on a user that changes before every attempt", async () => {
    const id = await newUser("race-3@example.com");
    interleave = { times: 1000, run: sneak("again") };
    await expect(
      store.updateUser(tenantId, id, replace("displayName", "never"), {}, audit),
    ).rejects.toMatchObject({ code: "unavailable" });
    expect(conditionalWrites).toBe(20);
    expect((await store.getUser(tenantId, id))?.doc.displayName).toBeUndefined();
  });

  it("serialises truly concurrent writes of one user: each lands, on the version before it", async () => {
    const id = await newUser("race-4@example.com");
    const paths = ["title", "displayName", "nickName", "userType", "preferredLanguage", "locale", "timezone"];
    await Promise.all(paths.map((p) => store.updateUser(tenantId, id, replace(p, `v-${p}`), {}, audit)));
    const stored = await store.getUser(tenantId, id);
    for (const p of paths) expect(stored?.doc[p]).toBe(`v-${p}`);
    expect(stored?.version).toBe(1 + paths.length);
  });
});
