/**
 * The provisioning engine against scimgate's own SCIM service, end to end, in both Entra PATCH dialects:
 * initial cycle, steady state, attribute changes, deactivation, membership, hard delete, unassignment.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CycleResult } from "../../src/emulator/engine/engine.js";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { scimClient } from "../helpers/scim-client.js";
import { startScimgate, type TestScimgate } from "../helpers/scimgate.js";
import { setUpProvisioning } from "./provisioning-harness.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

interface Sent {
  method: string;
  url: string;
  body: unknown;
}

function failures(result: CycleResult) {
  return result.records.filter((r) => r.entry.provisioningStatusInfo.status === "failure");
}

function actions(result: CycleResult): string[] {
  return result.records.map(
    (r) =>
      `${r.entry.provisioningAction}:${r.entry.provisioningStatusInfo.status}:${r.entry.sourceIdentity.displayName}`,
  );
}

describe.each([
  { dialect: "legacy", suffix: "", replace: "Replace", activeFalse: "False" },
  { dialect: "aadOptscim062020", suffix: "?aadOptscim062020", replace: "replace", activeFalse: false },
])("engine → scimgate ($dialect PATCH dialect)", ({ suffix, replace, activeFalse }) => {
  let sg: TestScimgate;
  let em: GraphEmulator;
  const sent: Sent[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    sent.push({
      method: init?.method ?? "GET",
      url: String(input),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    return fetch(input, init);
  };

  beforeAll(async () => {
    sg = await startScimgate();
    em = await startGraphEmulator({ fetch: recordingFetch, engine: { autoRun: false } });
  });
  afterAll(async () => {
    await em?.close();
    await sg?.close();
  });

  it("runs a full Entra lifecycle with zero failures", async () => {
    const scim = scimClient(sg.url, sg.token);
    const dir = em.directory;
    const bob = dir.addUser({
      userPrincipalName: "bob@contoso.com",
      displayName: "Bob Jones",
      givenName: "Bob",
      surname: "Jones",
      mail: "bob@contoso.com",
      mailNickname: "bob",
      department: "Engineering",
      employeeId: "1001",
    });
    const alice = dir.addUser({
      userPrincipalName: "alice@contoso.com",
      displayName: "Alice Smith",
      givenName: "Alice",
      surname: "Smith",
      mail: "alice@contoso.com",
      mailNickname: "alice",
      jobTitle: "Engineer",
      managerId: bob.id,
    });
    const carol = dir.addUser({
      userPrincipalName: "carol@contoso.com",
      displayName: "Carol White",
      mailNickname: "carol",
    });
    const dave = dir.addUser({
      userPrincipalName: "dave@contoso.com",
      displayName: "Dave Disabled",
      mailNickname: "dave",
      accountEnabled: false,
    });
    const eng = dir.addGroup({ displayName: "Engineering", memberIds: [alice.id, bob.id] });
    dir.addGroup({ displayName: "Sales", memberIds: [carol.id] });
    const p = await setUpProvisioning(em, `${sg.url}${suffix}`, sg.token);
    const engAssignment = await p.assign(eng.id);
    await p.assign(carol.id);
    await p.assign(dave.id);

    // Initial cycle: users, then the group created empty, then manager and members (entra-scim-client.md §3).
    const first = await p.cycle();
    expect(failures(first)).toEqual([]);
    expect(actions(first)).toEqual([
      "create:success:bob@contoso.com",
      "create:success:alice@contoso.com",
      "create:success:carol@contoso.com",
      "other:skipped:dave@contoso.com",
      "create:success:Engineering",
      "update:success:alice@contoso.com",
      "update:success:Engineering",
    ]);
    const aliceScim = (
      await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "alice@contoso.com"')}`)
    ).body.Resources[0];
    const bobScim = (
      await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "bob@contoso.com"')}`)
    ).body.Resources[0];
    expect(aliceScim).toMatchObject({
      active: true,
      title: "Engineer",
      externalId: "alice",
      name: { givenName: "Alice", familyName: "Smith", formatted: "Alice Smith" },
    });
    expect(aliceScim[ENTERPRISE].manager.value).toBe(bobScim.id);
    expect(bobScim[ENTERPRISE]).toMatchObject({ department: "Engineering", employeeNumber: "1001" });
    const groups = (await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`))
      .body.Resources;
    expect(groups).toHaveLength(1);
    const engScim = (await scim("GET", `/Groups/${groups[0].id}`)).body;
    expect(engScim.externalId).toBe(eng.id);
    expect(engScim.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [aliceScim.id, bobScim.id].sort(),
    );
    expect(
      (await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "Sales"')}`)).body.totalResults,
    ).toBe(0);
    expect(
      (await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "dave@contoso.com"')}`)).body
        .totalResults,
    ).toBe(0);
    const groupPost = sent.find((s) => s.method === "POST" && s.url.endsWith("/Groups"));
    expect(groupPost?.body).not.toHaveProperty("members");

    // Steady state: scimgate returns what it was sent, so a second cycle writes nothing.
    const second = await p.cycle();
    expect(second.records).toEqual([]);

    // Incremental: attribute change, membership removal (Bob leaves scope), soft delete.
    sent.length = 0;
    dir.updateUser(alice.id, { jobTitle: "Staff Engineer", surname: "Smith-Jones" });
    dir.removeMember(eng.id, bob.id);
    dir.softDeleteUser(carol.id);
    const third = await p.cycle();
    expect(failures(third)).toEqual([]);
    expect((await scim("GET", `/Users/${aliceScim.id}`)).body).toMatchObject({
      title: "Staff Engineer",
      name: { familyName: "Smith-Jones", formatted: "Alice Smith-Jones" },
    });
    expect((await scim("GET", `/Users/${bobScim.id}`)).body.active).toBe(false);
    const carolId = first.records.find((r) => r.entry.sourceIdentity.id === carol.id)!.entry.targetIdentity
      .id;
    expect((await scim("GET", `/Users/${carolId}`)).body.active).toBe(false);
    expect(
      (await scim("GET", `/Groups/${engScim.id}`)).body.members.map((m: { value: string }) => m.value),
    ).toEqual([aliceScim.id]);
    const disable = sent.find((s) => s.method === "PATCH" && s.url.endsWith(bobScim.id));
    expect(disable?.body).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: replace, path: "active", value: activeFalse }],
    });

    // Hard delete sends DELETE; unassigning the group deletes it and disables its only-via-group member.
    dir.hardDelete(carol.id);
    const fourth = await p.cycle();
    expect(actions(fourth)).toContain("delete:success:carol@contoso.com");
    expect((await scim("GET", `/Users/${carolId}`)).status).toBe(404);
    await p.unassign(engAssignment);
    const fifth = await p.cycle();
    expect(failures(fifth)).toEqual([]);
    expect(actions(fifth)).toEqual(
      expect.arrayContaining(["disable:success:alice@contoso.com", "delete:success:Engineering"]),
    );
    expect((await scim("GET", `/Groups/${engScim.id}`)).status).toBe(404);
    expect((await scim("GET", `/Users/${aliceScim.id}`)).body.active).toBe(false);

    const job = await p.jobState();
    expect(job.status).toMatchObject({ code: "Active", quarantine: null });
    expect(job.status.lastExecution.state).toBe("Succeeded");
  });
});
