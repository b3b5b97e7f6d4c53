import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminService } from "../../src/admin/service.js";
import { systemAudit } from "../../src/main.js";
import { BACKENDS } from "../helpers/backends.js";
import { patchOp, scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const audit = systemAudit("login", "User", "");

describe.each(BACKENDS)("login decisions through the provisioning lifecycle on $name", (backend) => {
  let gate: TestScimgate;
  let admin: AdminService;
  let call: ReturnType<typeof scimClient>;
  let userId: string;
  let groupId: string;
  const login = (subject: { userName?: string; externalId?: string }) =>
    admin.loginCheck(gate.tenantId, subject, audit);

  beforeAll(async () => {
    gate = await startScimgate({ backend });
    admin = gate.service.admin;
    call = scimClient(gate.url, gate.token);
    await admin.putRoles(
      gate.tenantId,
      {
        roles: [{ name: "member" }, { name: "engineer" }, { name: "oncall" }],
        defaultRoles: ["member"],
        mappings: [
          { group: { externalId: "obj-eng" }, roles: ["engineer"] },
          { group: { displayName: "On-Call" }, roles: ["oncall"] },
        ],
      },
      audit,
    );
  });
  afterAll(async () => gate?.close());

  it("refuses a user with no SCIM record while JIT is off", async () => {
    expect(await login({ userName: "ghost@contoso.com" })).toEqual({
      allowed: false,
      reason: "no SCIM record for this user and JIT provisioning is off for this tenant",
      userId: null,
      roles: [],
      groups: [],
    });
  });

  it("allows a provisioned user with the default roles, found by userName in any case or by externalId", async () => {
    const u = await call("POST", "/Users", {
      schemas: [USER],
      userName: "Kim@contoso.com",
      externalId: "kim-oid",
    });
    userId = u.body.id;
    const byName = await login({ userName: "kim@CONTOSO.com" });
    expect(byName).toMatchObject({ allowed: true, userId, roles: ["member"], groups: [] });
    expect((await login({ externalId: "kim-oid" })).userId).toBe(userId);
  });

  it("adds the mapped roles at the next login after the user joins a group (mapped by externalId)", async () => {
    const g = await call("POST", "/Groups", {
      schemas: [GROUP],
      displayName: "Engineering",
      externalId: "obj-eng",
    });
    groupId = g.body.id;
    await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOp({ op: "Add", path: "members", value: [{ value: userId }] }),
    );
    expect(await login({ userName: "kim@contoso.com" })).toMatchObject({
      allowed: true,
      roles: ["engineer", "member"],
      groups: [{ id: groupId, displayName: "Engineering", externalId: "obj-eng" }],
    });
  });

  it("keeps the roles of a group mapped by externalId when the group is renamed", async () => {
    await call("PATCH", `/Groups/${groupId}`, patchOp({ op: "Replace", path: "displayName", value: "R&D" }));
    expect((await login({ userName: "kim@contoso.com" })).roles).toEqual(["engineer", "member"]);
  });

  it("follows a displayName mapping to the new name when a group is renamed into it", async () => {
    const g = await call("POST", "/Groups", {
      schemas: [GROUP],
      displayName: "Pager",
      members: [{ value: userId }],
    });
    expect((await login({ userName: "kim@contoso.com" })).roles).toEqual(["engineer", "member"]);
    await call(
      "PATCH",
      `/Groups/${g.body.id}`,
      patchOp({ op: "replace", path: "displayName", value: "on-call" }),
    );
    expect((await login({ userName: "kim@contoso.com" })).roles).toEqual(["engineer", "member", "oncall"]);
  });

  it("drops the mapped roles when the user leaves the group", async () => {
    await call(
      "PATCH",
      `/Groups/${groupId}`,
      patchOp({ op: "remove", path: `members[value eq "${userId}"]` }),
    );
    expect((await login({ userName: "kim@contoso.com" })).roles).toEqual(["member", "oncall"]);
  });

  it("applies a replaced mapping document at the very next login", async () => {
    await admin.putRoles(
      gate.tenantId,
      {
        roles: [{ name: "member" }, { name: "sre" }],
        defaultRoles: [],
        mappings: [{ group: { displayName: "ON-CALL" }, roles: ["sre"] }],
      },
      audit,
    );
    expect((await login({ userName: "kim@contoso.com" })).roles).toEqual(["sre"]);
  });

  it("refuses a deactivated user, and allows it again after reactivation", async () => {
    await call("PATCH", `/Users/${userId}`, patchOp({ op: "Replace", path: "active", value: "False" }));
    expect(await login({ userName: "kim@contoso.com" })).toMatchObject({
      allowed: false,
      reason: "the user is deactivated (active=false)",
      userId,
      roles: [],
    });
    await call("PATCH", `/Users/${userId}`, patchOp({ op: "Replace", path: "active", value: "True" }));
    expect(await login({ userName: "kim@contoso.com" })).toMatchObject({ allowed: true, roles: ["sre"] });
  });

  it("refuses a deleted user as unknown", async () => {
    await call("DELETE", `/Users/${userId}`);
    expect((await login({ userName: "kim@contoso.com" })).allowed).toBe(false);
  });

  it("with JIT on, creates an unknown user at login, and SCIM adopts it by userName without a duplicate", async () => {
    await admin.updateTenant(gate.tenantId, { jit: true }, audit);
    const first = await admin.loginCheck(
      gate.tenantId,
      { userName: "new@contoso.com", attributes: { email: "new@contoso.com", givenName: "New" } },
      audit,
    );
    expect(first).toMatchObject({ allowed: true, roles: [], groups: [] });
    const jitUser = await admin.getUser(gate.tenantId, first.userId!);
    expect(jitUser.origin).toBe("jit");
    // Entra's initial cycle: match by userName, then PATCH the match instead of creating.
    const match = await call("GET", `/Users?filter=${encodeURIComponent('userName eq "new@contoso.com"')}`);
    expect(match.body.totalResults).toBe(1);
    await call(
      "PATCH",
      `/Users/${first.userId}`,
      patchOp({ op: "Replace", path: "displayName", value: "New Person" }),
    );
    const adopted = await admin.getUser(gate.tenantId, first.userId!);
    expect(adopted).toMatchObject({ origin: "scim", displayName: "New Person" });
    expect(
      (await admin.listUsers(gate.tenantId, { startIndex: 1, count: 100, userName: "new@contoso.com" }))
        .totalResults,
    ).toBe(1);
    expect((await login({ userName: "new@contoso.com" })).userId).toBe(first.userId);
    await admin.updateTenant(gate.tenantId, { jit: false }, audit);
  });
});

describe.each(BACKENDS)("the audit trail on $name", (backend) => {
  let gate: TestScimgate;
  beforeAll(async () => {
    gate = await startScimgate({ backend });
  });
  afterAll(async () => gate?.close());

  const entries = async () => (await gate.service.admin.queryAudit(gate.tenantId, { limit: 1000 })).entries;

  it("records each SCIM write exactly once, with key, request id and a summary without values", async () => {
    const call = scimClient(gate.url, gate.token);
    const before = (await entries()).length;
    const u = await call("POST", "/Users", {
      schemas: [USER],
      userName: "audited@contoso.com",
      title: "secret-title",
    });
    await call(
      "PATCH",
      `/Users/${u.body.id}`,
      patchOp({ op: "Replace", path: "title", value: "other-secret" }),
    );
    await call("DELETE", `/Users/${u.body.id}`);
    const rows = (await entries()).slice(before);
    expect(rows.map((r) => [r.operation, r.resourceType, r.resourceId, r.outcome])).toEqual([
      ["create", "User", u.body.id, "success"],
      ["patch", "User", u.body.id, "success"],
      ["delete", "User", u.body.id, "success"],
    ]);
    const [keyId] = gate.token.split(":")[1]!.split("_").slice(1, 2);
    expect(rows.every((r) => r.keyId === keyId && r.requestId.length > 0)).toBe(true);
    expect(rows[1]!.summary).toBe("replace title");
    expect(JSON.stringify(rows)).not.toContain("secret-title");
    expect(JSON.stringify(rows)).not.toContain(gate.token);
  });

  it("rolls back a failed write's change and records the attempt once with its failure", async () => {
    const call = scimClient(gate.url, gate.token);
    await call("POST", "/Users", { schemas: [USER], userName: "taken@contoso.com" });
    const before = (await entries()).length;
    const res = await call("POST", "/Users", { schemas: [USER], userName: "TAKEN@contoso.com" });
    expect(res.status).toBe(409);
    const rows = (await entries()).slice(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      operation: "create",
      outcome: "failed 409 uniqueness: userName is already taken",
    });
  });

  it("filters by resource and time, and pages with a cursor", async () => {
    const admin = gate.service.admin;
    const all = await entries();
    const first = await admin.queryAudit(gate.tenantId, { limit: 2 });
    expect(first.entries).toEqual(all.slice(0, 2));
    const next = await admin.queryAudit(gate.tenantId, { limit: 2, cursor: first.nextCursor! });
    expect(next.entries).toEqual(all.slice(2, 4));
    const future = await admin.queryAudit(gate.tenantId, {
      limit: 10,
      since: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(future.entries).toEqual([]);
    const one = all.find((e) => e.resourceId !== null && e.resourceType === "User")!;
    const byResource = await admin.queryAudit(gate.tenantId, {
      limit: 100,
      resourceType: "User",
      resourceId: one.resourceId!,
    });
    expect(byResource.entries.every((e) => e.resourceId === one.resourceId)).toBe(true);
  });
});
