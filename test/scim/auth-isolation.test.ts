import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, systemAudit } from "../../src/main.js";
import { Tenancy } from "../../src/tenancy/tenancy.js";
import { BACKENDS } from "../helpers/backends.js";
import { patchOp, scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

const UNAUTHORIZED = {
  schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
  status: "401",
  detail: "invalid, expired or revoked token",
};

describe.each(BACKENDS)("bearer tokens and tenant isolation on $name", (backend) => {
  let gate: TestScimgate;
  let other: { tenantId: string; token: string };
  beforeAll(async () => {
    gate = await startScimgate({ backend });
    other = await gate.addTenant("other");
  });
  afterAll(async () => gate?.close());

  const as = (token: string | null) => (method: string, path: string, body?: unknown) =>
    scimClient(gate.url, "")(method, path, body, { token });

  it("answers a request without a token with 401, a SCIM error body and WWW-Authenticate", async () => {
    const res = await as(null)("GET", "/Users");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="scimgate"');
    expect(res.body).toEqual({ ...UNAUTHORIZED, detail: "missing bearer token" });
  });

  it.each([
    ["a non-token", "non-token"],
    ["a wrong project id", "Pdeadbeef:sk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a key id that does not exist", null],
    ["a right key id with a wrong secret", "wrong-secret"],
  ])("answers %s with the same 401", async (_label, token) => {
    let t = token;
    if (t === null) t = gate.token.replace(/sk_[0-9a-f]{16}/, "sk_0000000000000000");
    if (t === "wrong-secret") t = `${gate.token.slice(0, -4)}AAAA`;
    const res = await as(t)("GET", "/Users");
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it("checks the token before reading the body, so a bad body from a stranger is still a 401", async () => {
    const res = await scimClient(gate.url, "")("POST", "/Users", undefined, {
      token: null,
      raw: "{not json",
    });
    expect(res.status).toBe(401);
  });

  it("refuses a management key as a SCIM token", async () => {
    const admin = await gate.service.createAdminToken();
    const res = await as(admin)("GET", "/Users");
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it("refuses a revoked key on the very next request, while another live key of the tenant keeps working", async () => {
    const t = gate.service.tenancy;
    const k1 = await t.createKey("tenant", gate.tenantId, {}, systemAudit("create", "AccessKey", "k1"));
    const k2 = await t.createKey("tenant", gate.tenantId, {}, systemAudit("create", "AccessKey", "k2"));
    expect((await as(k1.token)("GET", "/Users")).status).toBe(200);
    await t.revokeKey(k1.id, systemAudit("revoke", "AccessKey", "k1"));
    expect((await as(k1.token)("GET", "/Users")).status).toBe(401);
    expect((await as(k2.token)("GET", "/Users")).status).toBe(200);
  });

  it("refuses a key revoked through another connection to the database (a replica, the CLI) on the next request", async () => {
    const k = await gate.service.tenancy.createKey("tenant", gate.tenantId, {}, systemAudit("c", "k", ""));
    // Used twice first, so a store that keeps key rows between requests has this one.
    expect((await as(k.token)("GET", "/Users")).status).toBe(200);
    expect((await as(k.token)("GET", "/Users")).status).toBe(200);
    const elsewhere = await openStore(gate.databaseUrl);
    try {
      await (await Tenancy.open(elsewhere)).revokeKey(k.id, systemAudit("revoke", "AccessKey", "k"));
    } finally {
      await elsewhere.close();
    }
    expect((await as(k.token)("GET", "/Users")).status).toBe(401);
    expect((await as(gate.token)("GET", "/Users")).status).toBe(200);
  });

  it("refuses an expired key and accepts one that has not expired yet", async () => {
    const t = gate.service.tenancy;
    const past = await t.createKey(
      "tenant",
      gate.tenantId,
      { expiresAt: new Date(Date.now() - 1000) },
      systemAudit("c", "k", ""),
    );
    const future = await t.createKey(
      "tenant",
      gate.tenantId,
      { expiresInDays: 1 },
      systemAudit("c", "k", ""),
    );
    expect((await as(past.token)("GET", "/Users")).status).toBe(401);
    expect((await as(future.token)("GET", "/Users")).status).toBe(200);
  });

  it("keeps tenants apart: B's user and group ids answer 404 through A's key, exactly like missing ids", async () => {
    const a = as(gate.token);
    const b = as(other.token);
    const user = await b("POST", "/Users", { schemas: [USER], userName: "shared@contoso.com" });
    const group = await b("POST", "/Groups", { schemas: [GROUP], displayName: "Shared" });
    expect(user.status).toBe(201);
    for (const [method, path, body] of [
      ["GET", `/Users/${user.body.id}`, undefined],
      ["PATCH", `/Users/${user.body.id}`, patchOp({ op: "replace", path: "active", value: false })],
      ["PUT", `/Users/${user.body.id}`, { schemas: [USER], userName: "x" }],
      ["DELETE", `/Users/${user.body.id}`, undefined],
      ["GET", `/Groups/${group.body.id}`, undefined],
      ["PATCH", `/Groups/${group.body.id}`, patchOp({ op: "add", path: "members", value: [{ value: "x" }] })],
      ["DELETE", `/Groups/${group.body.id}`, undefined],
    ] as const) {
      const res = await a(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.detail, `${method} ${path}`).toMatch(/not found$/);
    }
    const missing = await a("GET", "/Users/00000000-0000-0000-0000-000000000000");
    expect(missing.status).toBe(404);
    expect((await b("GET", `/Users/${user.body.id}`)).body.active).toBeUndefined();
  });

  it("never lists or matches another tenant's resources, and lets both tenants hold the same userName", async () => {
    const a = as(gate.token);
    const filter = encodeURIComponent('userName eq "shared@contoso.com"');
    expect((await a("GET", `/Users?filter=${filter}`)).body.totalResults).toBe(0);
    const created = await a("POST", "/Users", { schemas: [USER], userName: "shared@contoso.com" });
    expect(created.status).toBe(201);
    expect((await a("GET", `/Users?filter=${filter}`)).body.totalResults).toBe(1);
  });

  it("refuses to add another tenant's user to a group, as if the id did not exist", async () => {
    const a = as(gate.token);
    const b = as(other.token);
    const foreign = await b("POST", "/Users", { schemas: [USER], userName: "foreign@contoso.com" });
    const group = await a("POST", "/Groups", { schemas: [GROUP], displayName: "Mine" });
    const res = await a(
      "PATCH",
      `/Groups/${group.body.id}`,
      patchOp({ op: "add", path: "members", value: [{ value: foreign.body.id }] }),
    );
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe("invalidValue");
    expect(res.body.detail).toBe(`member "${foreign.body.id}" is not a user or group of this tenant`);
  });
});
