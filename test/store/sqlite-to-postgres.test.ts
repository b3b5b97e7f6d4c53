import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, systemAudit } from "../../src/main.js";
import type { Store, StoredResource } from "../../src/store/store.js";
import { Tenancy } from "../../src/tenancy/tenancy.js";
import { BACKENDS } from "../helpers/backends.js";
import { describePostgres, POSTGRES, type TestDatabase } from "./databases.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const HAVE_TOOLS = ["sqlite3", "psql"].every((t) => spawnSync(t, ["--version"]).status === 0);

/** The `sh sqlite-to-postgres` block of docs/postgres.md: the documented procedure is what runs here. */
function documentedScript(): string {
  const doc = readFileSync(`${ROOT}docs/postgres.md`, "utf8");
  const m = /```sh sqlite-to-postgres\n([\s\S]*?)```/.exec(doc);
  if (!m?.[1]) throw new Error("docs/postgres.md has no `sh sqlite-to-postgres` block");
  return m[1];
}

/**
 * A stored user or group as plain data: its own fields and its document (the SQLite store parses the
 * document on first use, from a getter that is not an own property).
 */
function plain<T extends StoredResource>(r: T) {
  return { ...r, doc: r.doc };
}

/** Everything the Store interface can show of a database, for before/after comparison. */
async function snapshot(store: Store) {
  const tenants = await store.listTenants();
  const perTenant = [];
  for (const t of tenants) {
    const q = { startIndex: 1, count: 1000 };
    perTenant.push({
      users: (await store.listUsers(t.id, q, { groups: true })).resources.map(plain),
      groups: (await store.listGroups(t.id, q, { members: true })).resources.map(plain),
      roles: await store.getRoleConfig(t.id),
      keys: await store.listKeys({ kind: "tenant", tenantId: t.id }),
    });
  }
  return {
    tenants,
    perTenant,
    management: await store.listKeys({ kind: "management" }),
    audit: await store.queryAudit({ limit: 100_000 }),
    projectId: await store.getOrInitMeta("project_id", "not-copied"),
  };
}

async function seed(store: Store): Promise<string> {
  const tenancy = await Tenancy.open(store);
  const a = (what: string) => systemAudit("create", what, "");
  const t = await tenancy.createTenant("contoso", true, a("Tenant"));
  const key = await tenancy.createKey("tenant", t.id, {}, a("AccessKey"));
  const old = await tenancy.createKey("tenant", t.id, { description: 'old, "quoted"' }, a("AccessKey"));
  await tenancy.revokeKey(old.id, a("AccessKey"));
  await tenancy.createKey("management", null, { expiresInDays: 30 }, a("AccessKey"));
  const boss = await store.createUser(t.id, { userName: "boss@contoso.com", active: true }, a("User"));
  const u = await store.createUser(
    t.id,
    {
      userName: "Ann@Contoso.com",
      externalId: "0a21f0f2",
      name: { formatted: "Ann\nLine two", familyName: "O'Neil, Jr." },
      emails: [{ type: "work", value: "ann@contoso.com", primary: true }],
      [ENTERPRISE]: { department: "", manager: { value: boss.id } },
    },
    a("User"),
    "jit",
  );
  const inner = await store.createGroup(t.id, { displayName: "Inner" }, [u.id], a("Group"));
  await store.createGroup(t.id, { displayName: "Outer", externalId: "oid" }, [inner.id, boss.id], a("Group"));
  await store.putRoleConfig(
    t.id,
    {
      roles: [{ name: "admin" }],
      defaultRoles: [],
      mappings: [{ group: { externalId: "oid" }, roles: ["admin"] }],
    },
    a("RoleConfig"),
  );
  return key.token;
}

describePostgres("moving a SQLite database to PostgreSQL with the documented script", () => {
  let sqlite: TestDatabase;
  let pg: TestDatabase;
  beforeAll(async () => {
    sqlite = await BACKENDS.find((b) => b.name === "sqlite")!.create();
    pg = await POSTGRES.create();
  });
  afterAll(async () => {
    await sqlite?.drop();
    await pg?.drop();
  });

  it.skipIf(!HAVE_TOOLS)(
    "keeps every id, document, key, role and audit row (needs sqlite3 and psql)",
    async () => {
      const before = await openStore(sqlite.url);
      const token = await seed(before);
      const expected = await snapshot(before);
      await before.close();

      execFileSync("bash", ["-c", documentedScript()], {
        cwd: ROOT,
        env: {
          ...process.env,
          SQLITE: sqlite.url.replace(/^sqlite:/, ""),
          PG: pg.url,
          SCIMGATE: `${process.execPath} --import tsx src/cli/main.ts`,
          LOG_LEVEL: "warn",
        },
        stdio: "pipe",
      });

      const after = await openStore(pg.url);
      try {
        expect(await snapshot(after)).toEqual(expected);
        const principal = await (await Tenancy.open(after)).authenticate(token, "tenant");
        expect(principal).toMatchObject({ tenantId: expected.tenants[0]?.id });
        // The audit sequence continues after the copied ids.
        await after.appendAudit(systemAudit("note", "Audit", "after the move"));
        const last = (await after.queryAudit({ limit: 100_000 })).at(-1);
        expect(last?.id).toBeGreaterThan(expected.audit.at(-1)?.id ?? 0);
      } finally {
        await after.close();
      }
    },
  );
});
