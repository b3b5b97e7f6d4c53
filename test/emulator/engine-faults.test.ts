/**
 * The engine against a deliberately broken SCIM target (test fixture): wrong status codes, 500s, slow
 * answers, refused credentials. Shows the outcomes Entra reports: conflicts, InvalidAnchor, escrow with
 * retries, and quarantine (entra-scim-client.md §0.8, §3).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { type MemoryScimTarget, startMemoryScimTarget } from "./fixtures/memory-scim-target.js";
import { type Provisioning, setUpProvisioning } from "./provisioning-harness.js";

let em: GraphEmulator;
let target: MemoryScimTarget;
let p: Provisioning;

async function setUp(options: Parameters<typeof startGraphEmulator>[0] = {}, suffix = "") {
  target = await startMemoryScimTarget();
  em = await startGraphEmulator({ ...options, engine: { autoRun: false, ...options.engine } });
  p = await setUpProvisioning(em, `${target.url}${suffix}`, target.token);
}

function addAssignedUser(upn: string, extra: Record<string, string> = {}) {
  const user = em.directory.addUser({
    userPrincipalName: upn,
    displayName: upn.split("@")[0],
    mailNickname: upn.split("@")[0],
    ...extra,
  });
  return p.assign(user.id).then(() => user);
}

function errorCodes(
  records: { entry: { provisioningStatusInfo: { errorInformation: { errorCode: string } | null } } }[],
) {
  return records.map((r) => r.entry.provisioningStatusInfo.errorInformation?.errorCode ?? "none");
}

afterEach(async () => {
  await em?.close();
  await target?.close();
});

describe("wire shapes", () => {
  beforeEach(() => setUp());

  it("matches by userName before creating, and PATCHes a matched user instead of POSTing", async () => {
    target.users.set("u-1", {
      id: "u-1",
      userName: "ann@contoso.com",
      active: true,
      displayName: "Old Name",
    });
    await addAssignedUser("ann@contoso.com");
    const result = await p.cycle();
    expect(result.records[0]!.entry.provisioningAction).toBe("update");
    const get = target.requests[0]!;
    expect(get.method).toBe("GET");
    expect(get.query.get("filter")).toBe('userName eq "ann@contoso.com"');
    expect(target.writes().map((w) => w.method)).toEqual(["PATCH"]);
    expect(target.writes()[0]!.body.Operations).toEqual([
      { op: "Replace", path: "displayName", value: "ann" },
      { op: "Add", path: "externalId", value: "ann" },
    ]);
  });

  it("sends the legacy dialect by default: capitalised ops, string booleans, member removal by value array", async () => {
    const user = await addAssignedUser("ben@contoso.com");
    const group = em.directory.addGroup({ displayName: "Team", memberIds: [user.id] });
    await p.assign(group.id);
    await p.cycle();
    const userId = [...target.users.keys()][0]!;
    expect(target.writes().at(-1)!.body.Operations).toEqual([
      { op: "Add", path: "members", value: [{ $ref: null, value: userId }] },
    ]);
    em.directory.removeMember(group.id, user.id);
    em.directory.updateUser(user.id, { accountEnabled: false });
    target.requests.length = 0;
    await p.cycle();
    const ops = target.writes().map((w) => w.body.Operations);
    expect(ops).toContainEqual([{ op: "Replace", path: "active", value: "False" }]);
    expect(ops).toContainEqual([{ op: "Remove", path: "members", value: [{ value: userId }] }]);
  });
});

describe("member batches", () => {
  beforeEach(() => setUp({ engine: { memberBatchSize: 5 } }));

  it("fills a new group with Add members PATCHes of at most memberBatchSize members", async () => {
    const ids = [];
    for (let n = 0; n < 12; n++)
      ids.push(em.directory.addUser({ userPrincipalName: `b${n}@contoso.com` }).id);
    const group = em.directory.addGroup({ displayName: "Big", memberIds: ids });
    await p.assign(group.id);
    await p.cycle();
    const memberPatches = target.writes().filter((w) => w.path.startsWith("/Groups/"));
    expect(memberPatches.map((w) => w.body.Operations[0].value.length)).toEqual([5, 5, 2]);
    expect([...target.groups.values()][0]!.members).toHaveLength(12);
  });
});

describe("the aadOptscim062020 dialect", () => {
  beforeEach(() => setUp({}, "?aadOptscim062020"));

  it("batches scalar replaces in one path-less op, keeps filtered paths separate, removes members by filter", async () => {
    const user = await addAssignedUser("cat@contoso.com", {
      givenName: "Cat",
      surname: "Lee",
      mail: "cat@contoso.com",
    });
    const group = em.directory.addGroup({ displayName: "Team", memberIds: [user.id] });
    await p.assign(group.id);
    await p.cycle();
    const userId = [...target.users.keys()][0]!;
    target.requests.length = 0;
    em.directory.updateUser(user.id, {
      displayName: "Cat L",
      givenName: "Caterina",
      mail: "caterina@contoso.com",
    });
    em.directory.removeMember(group.id, user.id);
    em.directory.addMember(group.id, em.directory.addUser({ userPrincipalName: "x@contoso.com" }).id);
    await p.cycle();
    const patches = target.writes().filter((w) => w.method === "PATCH");
    expect(patches[0]!.body.Operations).toEqual([
      { op: "replace", path: 'emails[type eq "work"].value', value: "caterina@contoso.com" },
      {
        op: "replace",
        value: { displayName: "Cat L", "name.givenName": "Caterina", "name.formatted": "Caterina Lee" },
      },
    ]);
    expect(patches.at(-1)!.body.Operations).toEqual([
      { op: "remove", path: `members[value eq "${userId}"]` },
    ]);
  });

  it("sends a real boolean when disabling", async () => {
    const user = await addAssignedUser("dan@contoso.com");
    await p.cycle();
    em.directory.softDeleteUser(user.id);
    const result = await p.cycle();
    expect(result.records[0]!.entry.provisioningAction).toBe("disable");
    expect(target.writes().at(-1)!.body.Operations).toEqual([
      { op: "replace", path: "active", value: false },
    ]);
  });
});

describe("error handling", () => {
  beforeEach(() => setUp());

  it("logs a 409 on create as EntryConflict, escrows it, and retries it next cycle", async () => {
    target.faults.push({ method: "POST", path: /^\/Users$/, status: 409, times: 1 });
    const user = await addAssignedUser("eve@contoso.com");
    const first = await p.cycle();
    expect(errorCodes(first.records)).toEqual(["EntryConflict"]);
    expect(first.state).toBe("Failed");
    expect(em.state.servicePrincipal(p.sp.id).jobs.get(p.job.id)!.engine.escrows.get(user.id)).toMatchObject({
      errorCode: "EntryConflict",
      attempts: 1,
      transient: false,
    });
    const second = await p.cycle();
    expect(second.records[0]!.entry.provisioningAction).toBe("create");
    expect(errorCodes(second.records)).toEqual(["none"]);
    expect((await p.jobState()).status.lastExecution.countEscrowed).toBe(0);
  });

  it("reports InvalidAnchor when the cached id answers 404, and does not re-create", async () => {
    const user = await addAssignedUser("fay@contoso.com");
    await p.cycle();
    target.users.clear();
    em.directory.updateUser(user.id, { jobTitle: "Lead" });
    const result = await p.cycle();
    expect(errorCodes(result.records)).toEqual(["InvalidAnchor"]);
    expect(target.writes().filter((w) => w.method === "POST")).toHaveLength(1);
  });

  it("escrows 500s as transient InternalServerError and succeeds once the target recovers", async () => {
    target.faults.push({ method: "POST", status: 500, times: 2 });
    await addAssignedUser("gus@contoso.com");
    const first = await p.cycle();
    expect(errorCodes(first.records)).toEqual(["InternalServerError"]);
    const second = await p.cycle();
    expect(errorCodes(second.records)).toEqual(["InternalServerError"]);
    const job = em.state.servicePrincipal(p.sp.id).jobs.get(p.job.id)!;
    expect([...job.engine.escrows.values()][0]).toMatchObject({ attempts: 2, transient: true });
    expect((await p.jobState()).status.countSuccessiveCompleteFailures).toBe(2);
    const third = await p.cycle();
    expect(third.state).toBe("Succeeded");
    expect(job.engine.escrows.size).toBe(0);
    expect((await p.jobState()).status.countSuccessiveCompleteFailures).toBe(0);
  });

  it("classifies 429 as TooManyRequests and keeps it in escrow", async () => {
    target.faults.push({ method: "POST", status: 429 });
    await addAssignedUser("hal@contoso.com");
    expect(errorCodes((await p.cycle()).records)).toEqual(["TooManyRequests"]);
  });

  it("times out a slow target and escrows the object as Timeout", async () => {
    await em.close();
    await target.close();
    await setUp({ engine: { timeoutMs: 50 } });
    target.faults.push({ method: "POST", delayMs: 500, times: 1 });
    await addAssignedUser("ivy@contoso.com");
    const result = await p.cycle();
    expect(errorCodes(result.records)).toEqual(["Timeout"]);
    expect(result.records[0]!.exchanges.at(-1)!.error).toContain("Timeout");
  });

  it("quarantines the job when the target refuses the credentials, and start clears it", async () => {
    target.faults.push({ status: 401 });
    await addAssignedUser("jay@contoso.com");
    await addAssignedUser("kim@contoso.com");
    const result = await p.cycle();
    // The first refusal stops the cycle: only one object was attempted.
    expect(result.records).toHaveLength(1);
    const job = await p.jobState();
    expect(job.status.code).toBe("Quarantine");
    expect(job.status.quarantine).toMatchObject({
      reason: "EncounteredQuarantineException",
      seriesCount: 1,
      error: {
        code: "SystemForCrossDomainIdentityManagementCredentialValidationFailure",
        tenantActionable: true,
      },
    });
    target.faults.length = 0;
    const { graph } = await import("./graph-client.js");
    expect(
      (await graph(em, "POST", `/servicePrincipals/${p.sp.id}/synchronization/jobs/${p.job.id}/start`))
        .status,
    ).toBe(204);
    expect((await p.jobState()).status).toMatchObject({ code: "Active", quarantine: null });
  });

  it("quarantines when the filter query answers 404 instead of an empty ListResponse", async () => {
    target.faults.push({ method: "GET", path: /^\/Users$/, status: 404 });
    await addAssignedUser("lee@contoso.com");
    const result = await p.cycle();
    expect(errorCodes(result.records)).toEqual(["SystemForCrossDomainIdentityManagementServiceIncompatible"]);
    const job = await p.jobState();
    expect(job.status.quarantine.error.message).toContain("HTTP/404");
  });

  it("stays out of quarantine under the documented escrow thresholds (5,000 failures minimum)", async () => {
    target.faults.push({ method: "POST", status: 500 });
    for (const n of [1, 2, 3]) await addAssignedUser(`m${n}@contoso.com`);
    await p.cycle();
    expect((await p.jobState()).status).toMatchObject({ code: "Active", quarantine: null });
  });
});

describe("escrow thresholds", () => {
  it("quarantines with EncounteredEscrowProportionThreshold past configured thresholds", async () => {
    await setUp({ engine: { quarantine: { minFailures: 2, proportion: 0.4 } } });
    target.faults.push({ method: "POST", status: 500 });
    for (const n of [1, 2, 3]) await addAssignedUser(`n${n}@contoso.com`);
    const result = await p.cycle();
    expect(result.state).toBe("Failed");
    const job = await p.jobState();
    expect(job.status.code).toBe("Quarantine");
    expect(job.status.quarantine.reason).toBe("EncounteredEscrowProportionThreshold");
    expect(job.status.lastExecution).toMatchObject({ countEscrowed: 3, countExports: 3, countExported: 0 });
  });

  it("restart with resetScope Escrows, QuarantineState clears escrow and quarantine", async () => {
    await setUp({ engine: { quarantine: { minFailures: 1, proportion: 0.1 } } });
    target.faults.push({ method: "POST", status: 500, times: 1 });
    await addAssignedUser("o@contoso.com");
    await p.cycle();
    expect((await p.jobState()).status.code).toBe("Quarantine");
    const { graph } = await import("./graph-client.js");
    const res = await graph(
      em,
      "POST",
      `/servicePrincipals/${p.sp.id}/synchronization/jobs/${p.job.id}/restart`,
      { criteria: { resetScope: "Watermark, Escrows, QuarantineState" } },
    );
    expect(res.status).toBe(204);
    expect((await p.jobState()).status.quarantine).toBeNull();
    const job = em.state.servicePrincipal(p.sp.id).jobs.get(p.job.id)!;
    expect(job.engine.escrows.size).toBe(0);
    expect(job.engine.watermark).toBeNull();
    expect((await p.cycle()).state).toBe("Succeeded");
  });
});

describe("four weeks later", () => {
  const DAY = 24 * 3600_000;

  it("prunes escrow entries after 28 days and says so in status.escrowsPruned", async () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    await setUp({ now: () => clock });
    target.faults.push({ method: "POST", status: 500 });
    await addAssignedUser("old@contoso.com");
    await p.cycle();
    clock += 28 * DAY;
    const later = await p.cycle();
    expect(later.records).toEqual([]);
    expect((await p.jobState()).status).toMatchObject({ escrowsPruned: true });
    expect(em.state.servicePrincipal(p.sp.id).jobs.get(p.job.id)!.engine.escrows.size).toBe(0);
  });

  it("disables a job that has been in quarantine for four weeks", async () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    await setUp({ now: () => clock });
    target.faults.push({ status: 401 });
    await addAssignedUser("q@contoso.com");
    await p.cycle();
    clock += 7 * DAY;
    await p.cycle();
    expect((await p.jobState()).schedule.state).toBe("Active");
    clock += 21 * DAY;
    await p.cycle();
    const job = await p.jobState();
    expect(job.schedule.state).toBe("Disabled");
    expect(job.status).toMatchObject({
      code: "Quarantine",
      quarantine: { seriesCount: 3, seriesBegan: "2026-01-01T00:00:00.000Z" },
    });
  });
});
