/**
 * Lifecycle rules of the engine that follow entra-scim-client.md §3: what is no longer managed, re-enabling,
 * "skip out of scope deletions", SyncAll, Delete flow type, manager clearing, provision-on-demand rate limit.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { type MemoryScimTarget, startMemoryScimTarget } from "./fixtures/memory-scim-target.js";
import { graph } from "./graph-client.js";
import { type Provisioning, setUpProvisioning } from "./provisioning-harness.js";

let em: GraphEmulator;
let target: MemoryScimTarget;

beforeEach(async () => {
  target = await startMemoryScimTarget();
  em = await startGraphEmulator({ engine: { autoRun: false } });
});
afterEach(async () => {
  await em.close();
  await target.close();
});

async function provisioned(p: Provisioning, upn: string) {
  const user = em.directory.addUser({ userPrincipalName: upn, displayName: upn });
  const assignment = await p.assign(user.id);
  await p.cycle();
  target.requests.length = 0;
  return { user, assignment };
}

const writes = () =>
  target
    .writes()
    .map(
      (w) =>
        `${w.method} ${w.path.replace(/[0-9a-f-]{36}/, "{id}")} ${JSON.stringify(w.body?.Operations ?? "")}`,
    );

describe("deprovisioning rules", () => {
  it("sends no DELETE for a user that was unassigned (and so disabled) before its hard delete", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const { user, assignment } = await provisioned(p, "gone@contoso.com");
    await p.unassign(assignment);
    await p.cycle();
    em.directory.hardDelete(user.id);
    await p.cycle();
    expect(writes()).toEqual(['PATCH /Users/{id} [{"op":"Replace","path":"active","value":"False"}]']);
  });

  it("re-enables a re-assigned user with active True", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const { user, assignment } = await provisioned(p, "back@contoso.com");
    await p.unassign(assignment);
    await p.cycle();
    await p.assign(user.id);
    await p.cycle();
    expect(writes().at(-1)).toBe('PATCH /Users/{id} [{"op":"Replace","path":"active","value":"True"}]');
  });

  it("re-enables a restored soft-deleted user, and DELETEs a soft-deleted one once purged", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const { user } = await provisioned(p, "bin@contoso.com");
    em.directory.softDeleteUser(user.id);
    await p.cycle();
    em.directory.restoreUser(user.id);
    await p.cycle();
    em.directory.softDeleteUser(user.id);
    await p.cycle();
    em.directory.hardDelete(user.id);
    await p.cycle();
    expect(writes()).toEqual([
      'PATCH /Users/{id} [{"op":"Replace","path":"active","value":"False"}]',
      'PATCH /Users/{id} [{"op":"Replace","path":"active","value":"True"}]',
      'PATCH /Users/{id} [{"op":"Replace","path":"active","value":"False"}]',
      'DELETE /Users/{id} ""',
    ]);
  });

  it("leaves out-of-scope users alone when SkipOutOfScopeDeletions is true", async () => {
    const p = await setUpProvisioning(em, target.url, target.token, [
      { key: "SkipOutOfScopeDeletions", value: "true" },
    ]);
    const { assignment } = await provisioned(p, "kept@contoso.com");
    await p.unassign(assignment);
    const result = await p.cycle();
    expect(result.records).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it("sends no DELETE when the object mapping's flowTypes lack Delete", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const url = `/servicePrincipals/${p.sp.id}/synchronization/jobs/${p.job.id}/schema`;
    const schema = (await graph(em, "GET", url)).body;
    schema.synchronizationRules[0].objectMappings[0].flowTypes = "Add, Update";
    expect((await graph(em, "PUT", url, schema)).status).toBe(204);
    const { user } = await provisioned(p, "stay@contoso.com");
    em.directory.hardDelete(user.id);
    const result = await p.cycle();
    expect(result.records[0]!.entry.provisioningStatusInfo.status).toBe("skipped");
    expect(writes()).toEqual([]);
  });
});

describe("scope", () => {
  it("provisions every user with SyncAll true, without assignments", async () => {
    em.directory.addUser({ userPrincipalName: "all1@contoso.com" });
    em.directory.addUser({ userPrincipalName: "all2@contoso.com" });
    const p = await setUpProvisioning(em, target.url, target.token, [{ key: "SyncAll", value: "true" }]);
    await p.cycle();
    expect([...target.users.values()].map((u) => u.userName).sort()).toEqual([
      "all1@contoso.com",
      "all2@contoso.com",
    ]);
  });

  it("does not expand nested groups and ignores members of non-security groups", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const inner = em.directory.addUser({ userPrincipalName: "inner@contoso.com" });
    const mailOnly = em.directory.addUser({ userPrincipalName: "mail@contoso.com" });
    const nested = em.directory.addGroup({ displayName: "Nested", memberIds: [inner.id] });
    const outer = em.directory.addGroup({ displayName: "Outer" });
    em.directory.addMember(outer.id, nested.id);
    const distribution = em.directory.addGroup({
      displayName: "Mail list",
      securityEnabled: false,
      memberIds: [mailOnly.id],
    });
    await p.assign(outer.id);
    await p.assign(distribution.id);
    await p.cycle();
    expect([...target.users.values()]).toEqual([]);
    expect([...target.groups.values()].map((g) => [g.displayName, g.members ?? []])).toEqual([
      ["Outer", []],
      ["Mail list", []],
    ]);
  });
});

describe("manager reference", () => {
  it("clears the manager with an empty string when the source manager is removed", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const boss = em.directory.addUser({ userPrincipalName: "boss@contoso.com" });
    const report = em.directory.addUser({ userPrincipalName: "report@contoso.com", managerId: boss.id });
    await p.assign(boss.id);
    await p.assign(report.id);
    await p.cycle();
    target.requests.length = 0;
    em.directory.updateUser(report.id, { managerId: undefined });
    await p.cycle();
    expect(writes()).toEqual([
      'PATCH /Users/{id} [{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}]',
    ]);
  });
});

describe("provisionOnDemand rate limit", () => {
  it("answers the sixth call within 10 s with 429 when throttling is on", async () => {
    await em.close();
    em = await startGraphEmulator({ engine: { autoRun: false }, throttling: true, now: () => 0 });
    const p = await setUpProvisioning(em, target.url, target.token);
    const user = em.directory.addUser({ userPrincipalName: "rl@contoso.com" });
    await p.assign(user.id);
    const ruleId = (
      await graph(em, "GET", `/servicePrincipals/${p.sp.id}/synchronization/jobs/${p.job.id}/schema`)
    ).body.synchronizationRules[0].id;
    const body = { parameters: [{ ruleId, subjects: [{ objectId: user.id, objectTypeName: "User" }] }] };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await graph(
            em,
            "POST",
            `/servicePrincipals/${p.sp.id}/synchronization/jobs/${p.job.id}/provisionOnDemand`,
            body,
          )
        ).status,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe("log records", () => {
  it("logs a membership-only change as one group update, without a redundant skip", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const a = em.directory.addUser({ userPrincipalName: "ma@contoso.com" });
    const b = em.directory.addUser({ userPrincipalName: "mb@contoso.com" });
    const group = em.directory.addGroup({ displayName: "Members", memberIds: [a.id] });
    await p.assign(group.id);
    await p.assign(b.id);
    await p.cycle();
    em.directory.addMember(group.id, b.id);
    const result = await p.cycle();
    const groupRecords = result.records.filter((r) => r.entry.sourceIdentity.identityType === "Group");
    expect(
      groupRecords.map((r) => `${r.entry.provisioningAction}:${r.entry.provisioningStatusInfo.status}`),
    ).toEqual(["update:success"]);
    expect(groupRecords[0]!.entry.modifiedProperties[0]!.displayName).toBe("members");
  });
});

describe("late references", () => {
  it("sets a report's manager once the manager is provisioned in a later cycle", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const boss = em.directory.addUser({ userPrincipalName: "lateboss@contoso.com" });
    const report = em.directory.addUser({ userPrincipalName: "early@contoso.com", managerId: boss.id });
    await p.assign(report.id);
    await p.cycle();
    expect(target.writes().filter((w) => w.method === "PATCH")).toEqual([]);
    await p.assign(boss.id);
    await p.cycle();
    const bossId = [...target.users.values()].find((u) => u.userName === "lateboss@contoso.com")!.id;
    expect(target.writes().at(-1)!.body.Operations).toEqual([
      {
        op: "Add",
        path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        value: bossId,
      },
    ]);
  });
});
