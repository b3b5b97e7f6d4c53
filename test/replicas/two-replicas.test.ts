import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres/postgres-schema.js";
import { describePostgres, POSTGRES, type TestDatabase } from "../store/databases.js";
import { type Replica, runCli, startReplica } from "./replica-processes.js";

/** Every migration, in order (1, 2, 3, … as the schema grows). */
const VERSIONS = POSTGRES_MIGRATIONS.map((m) => m.version);

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** The parts of SCIM response bodies these tests read. */
interface ScimBody {
  readonly id: string;
  readonly displayName?: string;
  readonly meta: { readonly version: string };
  readonly members?: readonly { readonly value: string }[];
  readonly totalResults: number;
  readonly scimType?: string;
}

describePostgres("two scimgate processes migrating one empty PostgreSQL database together", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await POSTGRES.create();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("apply each migration exactly once, the second waiting on the advisory lock", async () => {
    const runs = await Promise.all([runCli(db.url, ["migrate"]), runCli(db.url, ["migrate"])]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs.map((r) => r.stdout.trim()).sort()).toEqual([
      `applied migrations ${VERSIONS.join(", ")}`,
      "database schema is up to date; no migrations to apply",
    ]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = (await client.query("SELECT version FROM schema_migrations ORDER BY version")).rows;
    await client.end();
    expect(rows.map((r) => r.version)).toEqual(VERSIONS);
  });
});

describePostgres("two scimgate serve replicas on one PostgreSQL database", () => {
  let db: TestDatabase;
  let replicas: Replica[] = [];
  let token = "";

  beforeAll(async () => {
    db = await POSTGRES.create();
    const tenant = await runCli(db.url, ["tenant", "create", "acme", "--json"]);
    expect(tenant.code, tenant.stderr).toBe(0);
    const tenantId = JSON.parse(tenant.stdout).id as string;
    const key = await runCli(db.url, ["key", "create", "--tenant", tenantId, "--json"]);
    expect(key.code, key.stderr).toBe(0);
    token = JSON.parse(key.stdout).token as string;
    replicas = await Promise.all([startReplica(db.url), startReplica(db.url)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await db?.drop();
  });

  /** Sends request `i` to replica `i % 2`, so concurrent requests really meet in the database. */
  const call = (
    i: number,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${replicas[i % 2]!.scimUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = async (res: Promise<Response>) => (await (await res).json()) as ScimBody;
  const createUser = (i: number, userName: string) =>
    call(i, "POST", "/Users", { schemas: [USER_SCHEMA], userName });

  it("keeps every member of 50 concurrent PATCHes adding different members to one group", async () => {
    const users = await Promise.all(
      Array.from({ length: 50 }, (_, i) => json(createUser(i, `m${i}@example.com`))),
    );
    const group = await json(
      call(0, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Everyone" }),
    );
    const patches = await Promise.all(
      users.map((u, i) =>
        call(i, "PATCH", `/Groups/${group.id}`, {
          schemas: [PATCH_SCHEMA],
          Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: u.id }] }],
        }),
      ),
    );
    expect(patches.map((p) => p.status)).toEqual(users.map(() => 204));
    const after = await json(call(1, "GET", `/Groups/${group.id}`));
    expect((after.members ?? []).map((m) => m.value).sort()).toEqual(users.map((u) => u.id).sort());
    expect(after.meta.version).toBe('W/"51"');
  });

  it("answers exactly one 201 and otherwise 409 when both replicas create one userName at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createUser(i, "Same@Example.com")),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    const conflicts = await Promise.all(
      results.filter((r) => r.status === 409).map((r) => json(Promise.resolve(r))),
    );
    expect(new Set(conflicts.map((c) => c.scimType))).toEqual(new Set(["uniqueness"]));
    const list = await json(
      call(1, "GET", `/Users?filter=${encodeURIComponent('userName eq "same@example.com"')}`),
    );
    expect(list.totalResults).toBe(1);
  });

  it("survives the server killing its connections mid-traffic without a half-applied write", async () => {
    const users = await Promise.all(
      Array.from({ length: 30 }, (_, i) => json(createUser(i, `k${i}@example.com`))),
    );
    const group = await json(call(0, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Killed" }));
    const killer = new pg.Client({ connectionString: db.url, application_name: "killer" });
    await killer.connect();
    let killed = 0;
    const kill = async () => {
      // What a failover or an admin's pg_terminate_backend does: every scimgate session ends (57P01).
      for (let round = 0; round < 3; round++) {
        const r = await killer.query(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'scimgate'`,
        );
        killed += Number(r.rows[0].n);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const [responses] = await Promise.all([
      Promise.all(
        users.map((u, i) =>
          call(i, "PATCH", `/Groups/${group.id}`, {
            schemas: [PATCH_SCHEMA],
            Operations: [{ op: "Add", path: "members", value: [{ value: u.id }] }],
          }),
        ),
      ),
      kill(),
    ]);
    await killer.end();
    expect(killed).toBeGreaterThan(0);
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 204 || s === 503)).toBe(true);
    const after = await json(call(1, "GET", `/Groups/${group.id}`));
    const members = new Set((after.members ?? []).map((m) => m.value));
    users.forEach((u, i) => {
      if (statuses[i] === 204) expect(members.has(u.id)).toBe(true);
    });
    // Each applied PATCH bumped the version and added its member in one transaction, or did neither.
    expect(after.meta.version).toBe(`W/"${1 + members.size}"`);
  });

  it("lets one If-Match writer win and answers the others 412", async () => {
    const user = await json(createUser(0, "contended@example.com"));
    const etag = user.meta.version;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(
          i,
          "PATCH",
          `/Users/${user.id}`,
          {
            schemas: [PATCH_SCHEMA],
            Operations: [{ op: "replace", path: "displayName", value: `writer ${i}` }],
          },
          { "if-match": etag },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect([...statuses].sort()).toEqual([200, ...Array(9).fill(412)]);
    const winner = statuses.indexOf(200);
    const after = await json(call(1, "GET", `/Users/${user.id}`));
    expect(after).toMatchObject({ displayName: `writer ${winner}`, meta: { version: 'W/"2"' } });
  });
});
