import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { describePostgres, POSTGRES, type TestDatabase } from "./databases.js";
import { type HookedPgApp, openHookedPgApp } from "./pg-hooked-app.js";
import { pgError } from "./pg-pool-wrapper.js";

const ATTEMPTS = 5;
const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const user = (userName: string) => ({ schemas: [USER_SCHEMA], userName });

/** Planned failures: the next statements matching `match` throw these errors, one each, in order. */
interface Fault {
  readonly match: RegExp;
  readonly errors: Error[];
  /** Fire only once this other fault's statement has run (e.g. COMMIT of the PATCH, not of another write). */
  readonly after?: Fault;
  hits: number;
}

describePostgres("PostgreSQL transient failures through the HTTP app", () => {
  let db: TestDatabase;
  let t: HookedPgApp;
  let faults: Fault[] = [];

  const inject = (match: RegExp, ...errors: Error[]): Fault => injectAfter(undefined, match, ...errors);
  const injectAfter = (after: Fault | undefined, match: RegExp, ...errors: Error[]): Fault => {
    const f: Fault = { match, errors, hits: 0, ...(after ? { after } : {}) };
    faults.push(f);
    return f;
  };

  beforeAll(async () => {
    db = await POSTGRES.create();
    const hook = (sql: string) => {
      const f = faults.find((x) => x.match.test(sql) && (x.after === undefined || x.after.hits > 0));
      if (!f) return;
      f.hits++;
      const e = f.errors.shift();
      if (e) throw e;
    };
    t = await openHookedPgApp(db, "retry", hook, { attempts: ATTEMPTS, baseDelayMs: 1 });
  });
  beforeEach(() => {
    faults = [];
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const request: HookedPgApp["request"] = (method, url, payload) => t.request(method, url, payload);
  const addMember = (groupId: string, userId: string) =>
    request("PATCH", `/Groups/${groupId}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: "Replace", path: "displayName", value: `renamed-${userId}` },
        { op: "Add", path: "members", value: [{ value: userId }] },
      ],
    });
  const audits = async (resourceId: string) =>
    (await t.store.queryAudit({ tenantId: t.tenantId, resourceId, limit: 100 })).map(
      (a) => a.outcome.split(":")[0],
    );

  async function fixture(name: string) {
    const u = await request("POST", "/Users", user(`${name}@example.com`));
    const g = await request("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: name });
    return { userId: u.json().id as string, groupId: g.json().id as string };
  }

  it("re-runs a transaction after a serialization failure and a connection reset, applying it once", async () => {
    const { userId, groupId } = await fixture("flaky");
    const f = inject(/INSERT INTO group_members/, pgError("40001"), pgError("ECONNRESET"));
    expect((await addMember(groupId, userId)).statusCode).toBe(204);
    expect(f.hits).toBe(3);
    const g = (await request("GET", `/Groups/${groupId}`)).json();
    expect(g.displayName).toBe(`renamed-${userId}`);
    expect(g.members.map((m: { value: string }) => m.value)).toEqual([userId]);
    expect(g.meta.version).toBe('W/"2"');
    expect(await audits(groupId)).toEqual(["success", "success"]);
  });

  it("answers 503 with Retry-After after a bounded number of deadlocks and applies nothing", async () => {
    const { userId, groupId } = await fixture("stuck");
    const deadlocks = Array.from({ length: ATTEMPTS + 3 }, () => pgError("40P01"));
    const f = inject(/INSERT INTO group_members/, ...deadlocks);
    const res = await addMember(groupId, userId);
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.json()).toMatchObject({ status: "503", detail: "the database is unavailable; retry later" });
    expect(f.hits).toBe(ATTEMPTS);
    const g = (await request("GET", `/Groups/${groupId}`)).json();
    expect(g).toMatchObject({ displayName: "stuck", meta: { version: 'W/"1"' } });
    expect(g.members ?? []).toEqual([]);
    expect(await audits(groupId)).toEqual(["success", "failed 503"]);
  });

  it("creates exactly one user when the first INSERT attempt hits a serialization failure", async () => {
    const f = inject(/INSERT INTO users/, pgError("40001"));
    const res = await request("POST", "/Users", user("once@example.com"));
    expect(res.statusCode).toBe(201);
    expect(f.hits).toBe(2);
    const list = (await request("GET", '/Users?filter=userName eq "once@example.com"')).json();
    expect(list.totalResults).toBe(1);
    expect(await audits(res.json().id)).toEqual(["success"]);
  });

  it("does not retry a statement timeout or a uniqueness conflict", async () => {
    const timeout = inject(
      /INSERT INTO users/,
      pgError("57014", "canceling statement due to statement timeout"),
    );
    expect((await request("POST", "/Users", user("slow@example.com"))).statusCode).toBe(503);
    expect(timeout.hits).toBe(1);
    faults = [];
    await request("POST", "/Users", user("dup@example.com"));
    const dup = inject(/INSERT INTO users/);
    const res = await request("POST", "/Users", user("DUP@example.com"));
    expect(res.statusCode).toBe(409);
    expect(res.json().scimType).toBe("uniqueness");
    expect(dup.hits).toBe(1);
  });

  it("answers 503 without re-running when the connection drops during COMMIT", async () => {
    const { userId, groupId } = await fixture("commit");
    const insert = inject(/INSERT INTO group_members/);
    injectAfter(insert, /^COMMIT$/, pgError("ECONNRESET"));
    const res = await addMember(groupId, userId);
    expect(res.statusCode).toBe(503);
    // The outcome of that COMMIT is unknown to the client; re-running could apply the write twice.
    expect(insert.hits).toBe(1);
  });
});
