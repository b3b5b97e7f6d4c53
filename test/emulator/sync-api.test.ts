/**
 * The synchronization API answers of the emulator against graph-synchronization.md: status codes, shapes,
 * masking, the job state machine, schema PUT/PATCH, request-body validation, Test Connection,
 * provision on demand and the provisioning logs.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GraphEmulator, startGraphEmulator } from "../../src/emulator/server.js";
import { type MemoryScimTarget, startMemoryScimTarget } from "./fixtures/memory-scim-target.js";
import { createJob, createScimApp, graph } from "./graph-client.js";
import { setUpProvisioning } from "./provisioning-harness.js";

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

const sync = (spId: string) => `/servicePrincipals/${spId}/synchronization`;

describe("templates and jobs", () => {
  it("lists the scim template (factoryTag CustomSCIM) with a customappsso target directory", async () => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "GET", `${sync(sp.id)}/templates`);
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(1);
    expect(res.body.value[0]).toMatchObject({
      id: "scim",
      factoryTag: "CustomSCIM",
      applicationId: sp.appId,
    });
    expect(res.body.value[0].schema.synchronizationRules[0].targetDirectoryName).toBe("customappsso");
  });

  it("creates a job with 201 in the Disabled / NotConfigured state of the docs sample", async () => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "POST", `${sync(sp.id)}/jobs`, { templateId: "scim" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      templateId: "scim",
      schedule: { expiration: null, interval: "P10675199DT2H48M5.4775807S", state: "Disabled" },
      status: {
        code: "NotConfigured",
        countSuccessiveCompleteFailures: 0,
        escrowsPruned: false,
        quarantine: null,
        steadyStateFirstAchievedTime: "0001-01-01T00:00:00Z",
      },
    });
    expect(
      (await graph(em, "GET", `${sync(sp.id)}/jobs`)).body.value.map((j: { id: string }) => j.id),
    ).toEqual([res.body.id]);
  });

  it("refuses an unknown template id", async () => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "POST", `${sync(sp.id)}/jobs`, { templateId: "dataBricks" });
    expect(res.status).toBe(400);
  });

  it("walks the state machine: start → Active/NotRun → cycle → Active; pause → Paused; delete → 404", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    expect(await p.jobState()).toMatchObject({
      schedule: { state: "Active", interval: "PT40M" },
      status: { code: "NotRun" },
    });
    await p.cycle();
    expect((await p.jobState()).status.code).toBe("Active");
    expect((await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/pause`)).status).toBe(204);
    expect(await p.jobState()).toMatchObject({ schedule: { state: "Paused" }, status: { code: "Paused" } });
    await expect(p.cycle()).rejects.toThrow(/Paused/);
    expect((await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/start`)).status).toBe(204);
    expect((await p.jobState()).status.code).toBe("Active");
    expect((await graph(em, "DELETE", `${sync(p.sp.id)}/jobs/${p.job.id}`)).status).toBe(204);
    expect((await graph(em, "GET", `${sync(p.sp.id)}/jobs/${p.job.id}`)).status).toBe(404);
  });

  it("runs a cycle by itself after start when auto-run is on", async () => {
    await em.close();
    em = await startGraphEmulator();
    const user = em.directory.addUser({ userPrincipalName: "auto@contoso.com" });
    const p = await setUpProvisioning(em, target.url, target.token);
    await p.assign(user.id);
    await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/restart`, {
      criteria: { resetScope: "Full" },
    });
    await em.whenIdle();
    expect([...target.users.values()].map((u) => u.userName)).toEqual(["auto@contoso.com"]);
    expect((await p.jobState()).status.lastExecution.state).toBe("Succeeded");
  });
});

describe("secrets", () => {
  it("replaces the whole set with 204 and reads sensitive values back as *", async () => {
    const { sp } = await createScimApp(em);
    const put = await graph(em, "PUT", `${sync(sp.id)}/secrets`, {
      value: [
        { key: "BaseAddress", value: "https://scim.example.com/scim/v2" },
        { key: "SecretToken", value: "s3cret" },
        { key: "SyncNotificationSettings", value: '{"Enabled":false,"DeleteThresholdEnabled":false}' },
      ],
    });
    expect(put.status).toBe(204);
    const read = await graph(em, "GET", `${sync(sp.id)}/secrets`);
    expect(read.body.value).toEqual([
      { key: "BaseAddress", value: "https://scim.example.com/scim/v2" },
      { key: "SecretToken", value: "*" },
      { key: "SyncNotificationSettings", value: '{"Enabled":false,"DeleteThresholdEnabled":false}' },
    ]);
    await graph(em, "PUT", `${sync(sp.id)}/secrets`, { value: [{ key: "SyncAll", value: "false" }] });
    expect((await graph(em, "GET", `${sync(sp.id)}/secrets`)).body.value).toEqual([
      { key: "SyncAll", value: "false" },
    ]);
  });

  it("omits keys PUT with empty values (terraform's delete)", async () => {
    const { sp } = await createScimApp(em);
    await graph(em, "PUT", `${sync(sp.id)}/secrets`, {
      value: [
        { key: "BaseAddress", value: "" },
        { key: "SecretToken", value: "" },
      ],
    });
    expect((await graph(em, "GET", `${sync(sp.id)}/secrets`)).body.value).toEqual([]);
  });

  it("refuses a secret key outside the synchronizationSecret enum", async () => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "PUT", `${sync(sp.id)}/secrets`, {
      value: [{ key: "TenantUrl", value: "x" }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadRequest");
  });
});

describe("request validation against the official schema", () => {
  it.each([
    ["a misspelt property", { templateID: "scim" }, "templateID"],
    ["a number where a string is required", { templateId: 42 }, "/templateId"],
    [
      "an unknown nested property",
      { templateId: "scim", schedule: { interval: "PT40M", cadence: 1 } },
      "cadence",
    ],
  ])("refuses a job body with %s", async (_name, body, mention) => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "POST", `${sync(sp.id)}/jobs`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadRequest");
    expect(res.body.error.message).toContain(mention);
  });

  it("refuses malformed JSON and an empty required body", async () => {
    const { sp } = await createScimApp(em);
    const bad = await graph(em, "POST", `${sync(sp.id)}/jobs`, "{not json");
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("Unable to read JSON request payload");
    const empty = await graph(em, "POST", `${sync(sp.id)}/jobs`);
    expect(empty.body.error.message).toBe("Empty Payload. JSON content expected.");
  });

  it("accepts restart's flags enum as a comma+space list and refuses an unknown member", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const url = `${sync(p.sp.id)}/jobs/${p.job.id}/restart`;
    expect(
      (await graph(em, "POST", url, { criteria: { resetScope: "Watermark, Escrows, QuarantineState" } }))
        .status,
    ).toBe(204);
    expect((await graph(em, "POST", url, { criteria: { resetScope: "Watermark, Everything" } })).status).toBe(
      400,
    );
  });

  it("refuses an appRoleAssignment whose principalId is not a GUID", async () => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "POST", `/servicePrincipals/${sp.id}/appRoleAssignedTo`, {
      principalId: "bob",
      resourceId: sp.id,
      appRoleId: sp.appRoles[0].id,
    });
    expect(res.status).toBe(400);
  });
});

describe("schema", () => {
  it("round-trips GET → PUT with 204 and answers PATCH with syncfabric's 404 UnknownError", async () => {
    const { sp } = await createScimApp(em);
    const job = await createJob(em, sp.id);
    const url = `${sync(sp.id)}/jobs/${job.id}/schema`;
    const schema = (await graph(em, "GET", url)).body;
    expect(schema.synchronizationRules[0].objectMappings.map((m: { name: string }) => m.name)).toEqual([
      "Synchronize Azure Active Directory Users to customappsso",
      "Synchronize Azure Active Directory Groups to customappsso",
    ]);
    expect((await graph(em, "PUT", url, schema)).status).toBe(204);
    const patch = await graph(em, "PATCH", url, schema);
    expect(patch.status).toBe(404);
    expect(patch.body.error.code).toBe("UnknownError");
    expect(JSON.parse(patch.body.error.message).Message).toMatch(
      /^No HTTP resource was found that matches the request URI 'https:\/\/syncfabric\.windowsazure\.com\/api\/servicePrincipals\(/,
    );
  });

  it("round-trips the metadata blobs real schemas carry", async () => {
    const { sp } = await createScimApp(em);
    const job = await createJob(em, sp.id);
    const url = `${sync(sp.id)}/jobs/${job.id}/schema`;
    const schema = (await graph(em, "GET", url)).body;
    schema.synchronizationRules[0].metadata = [
      { key: "defaultSourceObjectMappings", value: '[{"name":"x"}]' },
    ];
    schema.synchronizationRules[0].objectMappings[0].metadata = [{ key: "Disposition", value: '"Normal"' }];
    schema.directories[1].objects[0].attributes[0].metadata = [
      { key: "ComplexObjectDefinition", value: '{"Name":"emails"}' },
    ];
    expect((await graph(em, "PUT", url, schema)).status).toBe(204);
    expect((await graph(em, "GET", url)).body).toEqual(schema);
  });

  it("refuses a schema whose expression uses an unknown function", async () => {
    const { sp } = await createScimApp(em);
    const job = await createJob(em, sp.id);
    const url = `${sync(sp.id)}/jobs/${job.id}/schema`;
    const schema = (await graph(em, "GET", url)).body;
    schema.synchronizationRules[0].objectMappings[0].attributeMappings[2].source = {
      expression: "Frobnicate([displayName])",
      name: "Frobnicate",
      type: "Function",
      parameters: [],
    };
    const res = await graph(em, "PUT", url, schema);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Frobnicate");
  });

  it("applies a PUT schema on the next cycle: a scoping filter and a custom expression", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const url = `${sync(p.sp.id)}/jobs/${p.job.id}/schema`;
    const schema = (await graph(em, "GET", url)).body;
    const users = schema.synchronizationRules[0].objectMappings[0];
    users.scope = {
      groups: [
        {
          name: "engineers",
          clauses: [
            {
              operatorName: "EQUALS",
              sourceOperandName: "department",
              targetOperand: { values: ["Engineering"] },
            },
          ],
        },
      ],
    };
    users.attributeMappings.find(
      (m: { targetAttributeName: string }) => m.targetAttributeName === "displayName",
    ).source = { expression: "ToUpper([displayName])", name: "ToUpper", type: "Function", parameters: [] };
    expect((await graph(em, "PUT", url, schema)).status).toBe(204);
    for (const [upn, department] of [
      ["in@contoso.com", "Engineering"],
      ["out@contoso.com", "Sales"],
    ]) {
      await p.assign(
        em.directory.addUser({ userPrincipalName: upn!, displayName: upn!.split("@")[0], department }).id,
      );
    }
    await p.cycle();
    expect([...target.users.values()].map((u) => [u.userName, u.displayName])).toEqual([
      ["in@contoso.com", "IN"],
    ]);
  });
});

describe("validateCredentials (Test Connection)", () => {
  it("probes the target with a random-GUID userName filter and answers 204", async () => {
    const { sp } = await createScimApp(em);
    const res = await graph(em, "POST", `${sync(sp.id)}/jobs/validateCredentials`, {
      credentials: [
        { key: "BaseAddress", value: target.url },
        { key: "SecretToken", value: target.token },
      ],
    });
    expect(res.status).toBe(204);
    expect(target.requests[0]!.query.get("filter")).toMatch(/^userName eq "[0-9a-f-]{36}"$/);
  });

  it("fails with CredentialValidationFailure when the target refuses the token", async () => {
    const p = await setUpProvisioning(em, target.url, "wrong-token");
    const res = await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/validateCredentials`, {
      useSavedCredentials: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("SystemForCrossDomainIdentityManagementCredentialValidationFailure");
  });

  it("fails with CredentialValidationUnavailable on a non-200 or an unreachable target", async () => {
    const { sp } = await createScimApp(em);
    const wrongPath = await graph(em, "POST", `${sync(sp.id)}/jobs/validateCredentials`, {
      credentials: [
        { key: "BaseAddress", value: target.url.replace("/scim/v2", "/nope") },
        { key: "SecretToken", value: target.token },
      ],
    });
    expect(wrongPath.body.error.code).toBe(
      "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
    );
    expect(wrongPath.body.error.message).toContain("HTTP/404");
    const unreachable = await graph(em, "POST", `${sync(sp.id)}/jobs/validateCredentials`, {
      credentials: [
        { key: "BaseAddress", value: "http://127.0.0.1:1/scim" },
        { key: "SecretToken", value: "t" },
      ],
    });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.error.message).toContain("not able to connect");
  });
});

describe("provisionOnDemand", () => {
  it("answers 200 with JSON-string key/value and uses legacy shapes even with aadOptscim062020", async () => {
    const p = await setUpProvisioning(em, `${target.url}?aadOptscim062020`, target.token);
    const user = em.directory.addUser({ userPrincipalName: "pod@contoso.com", displayName: "Pod" });
    await p.assign(user.id);
    const schema = (await graph(em, "GET", `${sync(p.sp.id)}/jobs/${p.job.id}/schema`)).body;
    const ruleId = schema.synchronizationRules[0].id;
    const body = { parameters: [{ ruleId, subjects: [{ objectId: user.id, objectTypeName: "User" }] }] };
    const first = await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/provisionOnDemand`, body);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body.key)).toEqual({ result: "Success", details: {} });
    expect(JSON.parse(first.body.value)).toMatchObject({
      action: "Create",
      reportableIdentifier: "pod@contoso.com",
      targetSystem: { name: "customappsso" },
    });
    em.directory.updateUser(user.id, { accountEnabled: false });
    await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/provisionOnDemand`, body);
    expect(target.writes().at(-1)!.body.Operations).toEqual([
      { op: "Replace", path: "active", value: "False" },
    ]);
    const again = await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/provisionOnDemand`, body);
    expect(JSON.parse(again.body.key).result).toBe("Skipped");
  });

  it("refuses a ruleId that is not in the job schema", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const user = em.directory.addUser({ userPrincipalName: "r@contoso.com" });
    const res = await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/provisionOnDemand`, {
      parameters: [{ ruleId: "nope", subjects: [{ objectId: user.id, objectTypeName: "User" }] }],
    });
    expect(res.status).toBe(400);
  });

  it("provisions a group with the linked members only", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    const a = em.directory.addUser({ userPrincipalName: "a@contoso.com" });
    const b = em.directory.addUser({ userPrincipalName: "b@contoso.com" });
    const group = em.directory.addGroup({ displayName: "G", memberIds: [a.id, b.id] });
    await p.assign(group.id);
    const ruleId = (await graph(em, "GET", `${sync(p.sp.id)}/jobs/${p.job.id}/schema`)).body
      .synchronizationRules[0].id;
    const body = {
      parameters: [
        {
          ruleId,
          subjects: [
            {
              objectId: group.id,
              objectTypeName: "Group",
              links: { members: [{ objectId: a.id, objectTypeName: "User" }] },
            },
          ],
        },
      ],
    };
    expect(
      (await graph(em, "POST", `${sync(p.sp.id)}/jobs/${p.job.id}/provisionOnDemand`, body)).status,
    ).toBe(200);
    expect([...target.users.values()].map((u) => u.userName)).toEqual(["a@contoso.com"]);
    expect([...target.groups.values()][0]!.members).toHaveLength(1);
  });
});

describe("auditLogs/provisioning", () => {
  it("serves one entry per action, newest first, with $filter and $top paging", async () => {
    const p = await setUpProvisioning(em, target.url, target.token);
    for (const n of [1, 2, 3])
      await p.assign(em.directory.addUser({ userPrincipalName: `log${n}@contoso.com` }).id);
    await p.cycle();
    const all = await graph(em, "GET", "/auditLogs/provisioning");
    expect(all.status).toBe(200);
    expect(all.body.value).toHaveLength(3);
    expect(all.body.value[0]).toMatchObject({
      jobId: p.job.id,
      provisioningAction: "create",
      initiatedBy: { initiatorType: "system" },
      servicePrincipal: { id: p.sp.id },
      sourceIdentity: { identityType: "User", displayName: "log3@contoso.com" },
      provisioningStatusInfo: { status: "success", errorInformation: null },
    });
    expect(
      all.body.value[0].provisioningSteps.map(
        (s: { provisioningStepType: string }) => s.provisioningStepType,
      ),
    ).toEqual(["import", "scoping", "matching", "export"]);
    const paged = await graph(em, "GET", "/auditLogs/provisioning?$top=2");
    expect(paged.body.value).toHaveLength(2);
    const next = new URL(paged.body["@odata.nextLink"]);
    expect((await graph(em, "GET", `/auditLogs/provisioning${next.search}`)).body.value).toHaveLength(1);
    const filtered = await graph(
      em,
      "GET",
      `/auditLogs/provisioning?$filter=${encodeURIComponent("sourceIdentity/displayName eq 'log1@contoso.com'")}`,
    );
    expect(filtered.body.value).toHaveLength(1);
    const one = await graph(em, "GET", `/auditLogs/provisioning/${filtered.body.value[0].id}`);
    expect(one.body.changeId).toBe(filtered.body.value[0].changeId);
  });
});

describe("schema tools", () => {
  it("lists the supported functions and filter operators", async () => {
    const { sp } = await createScimApp(em);
    const job = await createJob(em, sp.id);
    const fns = await graph(em, "GET", `${sync(sp.id)}/jobs/${job.id}/schema/functions()`);
    expect(fns.body.value.map((f: { id: string }) => f.id)).toEqual(
      expect.arrayContaining(["Switch", "Join", "Not", "Mid"]),
    );
    const ops = await graph(em, "GET", `${sync(sp.id)}/jobs/${job.id}/schema/filterOperators()`);
    expect(ops.body.value.find((o: { id: string }) => o.id === "IS TRUE")).toMatchObject({ arity: "Unary" });
  });

  it("parses and evaluates an expression against a test object", async () => {
    const { sp } = await createScimApp(em);
    const job = await createJob(em, sp.id);
    const url = `${sync(sp.id)}/jobs/${job.id}/schema/parseExpression`;
    const ok = await graph(em, "POST", url, {
      expression: 'Join(" ", [givenName], [surname])',
      testInputObject: {
        properties: [
          { key: "givenName", value: "Ada" },
          { key: "surname", value: "Lovelace" },
        ],
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      parsingSucceeded: true,
      evaluationSucceeded: true,
      evaluationResult: ["Ada Lovelace"],
      error: null,
    });
    expect(ok.body.parsedExpression).toMatchObject({ name: "Join", type: "Function" });
    const bad = await graph(em, "POST", url, { expression: "Join(" });
    expect(bad.body).toMatchObject({ parsingSucceeded: false, error: { code: "ExpressionParsingFailed" } });
  });
});
