import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemAudit } from "../../src/main.js";
import { parseFilter } from "../../src/scim/filter/parse.js";
import { createPgPool } from "../../src/store/postgres/postgres-db.js";
import {
  DEFAULT_PG_SETTINGS,
  openPostgresStore,
  type PostgresStore,
} from "../../src/store/postgres/postgres-store.js";
import { describePostgres, POSTGRES, type TestDatabase } from "./databases.js";
import { wrapPool } from "./pg-pool-wrapper.js";

// These plans come from the planner's own choice after ANALYZE on 3 tenants x 3000 users and 3000
// groups: no enable_seqscan tricks, so they show what production would pick at that size or larger.
const TENANTS = 3;
const ROWS = 3000;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describePostgres("PostgreSQL plans for Entra's lookups", () => {
  let db: TestDatabase;
  let store: PostgresStore;
  let admin: pg.Client;
  let tenantId = "";
  let captured: { sql: string; params: readonly unknown[] }[] = [];

  beforeAll(async () => {
    db = await POSTGRES.create();
    // createPgPool: its connections have an "error" listener from birth, so dropping the database at the end
    // cannot raise an unhandled "error" from a connection still closing.
    const pool = createPgPool(db.url, { ...DEFAULT_PG_SETTINGS, poolSize: 2 });
    store = await openPostgresStore(db.url, DEFAULT_PG_SETTINGS, {
      pool: wrapPool(pool, (sql, params) => {
        captured.push({ sql, params });
      }),
    });
    const ids = [];
    for (let i = 0; i < TENANTS; i++) {
      ids.push((await store.createTenant({ name: `t${i}` }, systemAudit("create", "Tenant", ""))).id);
    }
    tenantId = ids[1]!;
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await seed(admin, ids);
  });
  afterAll(async () => {
    await admin?.end();
    await store?.close();
    await db?.drop();
  });

  /** Runs the list query exactly as the store sends it, then EXPLAINs that statement. */
  async function planOf(run: () => Promise<unknown>): Promise<PlanNode[]> {
    captured = [];
    await run();
    const stmt = captured.find((c) => /ORDER BY [\s\S]* LIMIT/.test(c.sql));
    if (!stmt) throw new Error("the store ran no list statement");
    const res = await admin.query(`EXPLAIN (FORMAT JSON) ${stmt.sql}`, [...stmt.params]);
    return nodes((res.rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan);
  }

  const seqScans = (plan: PlanNode[]) =>
    plan.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
  const indexes = (plan: PlanNode[]) => plan.map((n) => n["Index Name"]).filter(Boolean);
  const users = (filter: string) => () =>
    store.listUsers(tenantId, { filter: parseFilter(filter), startIndex: 1, count: 100 });

  it.each([
    ['userName eq "User42@Example.com"', "users_user_name"],
    ['externalId eq "ext-42"', "users_external_id"],
    ['emails[type eq "work"].value eq "user42@work.example"', "user_emails_value"],
  ])("answers %s from index %s", async (filter, index) => {
    const plan = await planOf(users(filter));
    expect(indexes(plan)).toContain(index);
    expect(seqScans(plan)).toEqual([]);
  });

  it("answers a group lookup by displayName from the unique displayName index", async () => {
    const plan = await planOf(() =>
      store.listGroups(tenantId, {
        filter: parseFilter('displayName eq "group 42"'),
        startIndex: 1,
        count: 100,
      }),
    );
    expect(indexes(plan)).toContain("groups_display_name");
    expect(seqScans(plan)).toEqual([]);
  });

  it("pages through all users by walking the (tenant, created, id) index, not sorting the table", async () => {
    const plan = await planOf(() => store.listUsers(tenantId, { startIndex: 101, count: 100 }));
    expect(indexes(plan)).toContain("users_created");
    expect(seqScans(plan)).toEqual([]);
    expect(plan.map((n) => n["Node Type"])).not.toContain("Sort");
  });

  it("finds a resource's audit rows without its type under each of the tenant's types, not by scanning the trail", async () => {
    const [user] = (await users('userName eq "user42@example.com"')()).resources;
    const plan = await planOf(() => store.queryAudit({ tenantId, resourceId: user!.id, limit: 100 }));
    // The rows by tenant, type and resource: without the type in the condition the scan would read every
    // entry of the tenant in the index, checking the resource of each.
    const conds = plan.filter((n) => n["Index Name"] === "audit_resource").map((n) => n["Index Cond"] ?? "");
    expect(conds.some((c) => /resource_type = ANY/.test(c) && /resource_id =/.test(c))).toBe(true);
    expect(indexes(plan)).not.toContain("audit_tenant");
    expect(seqScans(plan)).toEqual([]);
    const rows = await store.queryAudit({ tenantId, resourceId: user!.id, limit: 100 });
    expect(rows.map((r) => [r.resourceType, r.operation])).toEqual([["User", "create"]]);
  });

  it("finds the seeded rows through those lookups", async () => {
    const r = await users('emails[type eq "work"].value eq "USER42@work.example"')();
    expect(r.resources.map((u) => u.doc.userName)).toEqual(["user42@example.com"]);
  });
});

/** Bulk-loads users (with work e-mails) and groups for every tenant, then ANALYZEs. */
async function seed(client: pg.Client, tenantIds: string[]): Promise<void> {
  const at = new Date().toISOString();
  await client.query(
    `INSERT INTO users (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
       version, created, last_modified)
     SELECT t, gen_random_uuid()::text, 'user' || i || '@example.com', 'user' || i || '@example.com', 'ext-' || i,
       'User ' || i, true, 'scim', jsonb_build_object('userName', 'user' || i || '@example.com'), 1, $2, $2
     FROM unnest($1::text[]) AS t, generate_series(1, ${ROWS}) AS i`,
    [tenantIds, at],
  );
  await client.query(
    `INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc)
     SELECT tenant_id, id, 'work', replace(user_name_lc, '@example.com', '@work.example') FROM users`,
  );
  await client.query(
    `INSERT INTO groups (tenant_id, id, display_name, display_name_lc, external_id, doc, version, created, last_modified)
     SELECT t, gen_random_uuid()::text, 'Group ' || i, 'group ' || i, '${randomUUID()}-' || i,
       jsonb_build_object('displayName', 'Group ' || i), 1, $2, $2
     FROM unnest($1::text[]) AS t, generate_series(1, ${ROWS}) AS i`,
    [tenantIds, at],
  );
  // Every user's and group's creation in the audit trail, as the store writes them.
  await client.query(
    `INSERT INTO audit (at, tenant_id, request_id, operation, resource_type, resource_id, outcome, summary)
     SELECT $1, tenant_id, 'seed', 'create', 'User', id, 'success', '' FROM users
     UNION ALL
     SELECT $1, tenant_id, 'seed', 'create', 'Group', id, 'success', '' FROM groups`,
    [at],
  );
  await client.query("ANALYZE");
}
