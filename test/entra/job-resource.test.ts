import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignToApp, findGroup, instantiateApp, readUserRoleId } from "../../src/entra/directory-ops.js";
import {
  applyRunState,
  createJobResource,
  deleteJobResource,
  diffJobResource,
  diffRunStateLive,
  type JobInputs,
  readJobResource,
  readRunState,
  updateJobResource,
} from "../../src/entra/job-resource.js";
import {
  createKeyResource,
  createTenantResource,
  deleteKeyResource,
  type KeyOutputs,
} from "../../src/entra/scimgate-tenant.js";
import {
  CredentialValidationError,
  getSecrets,
  jobPath,
  listJobs,
  putSecrets,
} from "../../src/entra/sync-job.js";
import { FAST_RETRY, type Harness, startHarness } from "./harness.js";

let h: Harness;
let spId: string;
let tenantUrl: string;
let key: KeyOutputs;
const deps = () => ({ graph: h.graph, retry: FAST_RETRY });

const inputs = (over: Partial<JobInputs> = {}): JobInputs => ({
  graphUrl: h.graph.graphUrl,
  servicePrincipalId: spId,
  templateId: "scim",
  baseAddress: tenantUrl,
  secretToken: key.token,
  syncAll: false,
  notifications: { email: "ops@contoso.example", deleteThreshold: 500 },
  ...over,
});

beforeAll(async () => {
  h = await startHarness();
  spId = (await instantiateApp(h.graph, "scimgate job tests", FAST_RETRY)).servicePrincipalObjectId;
  const tenant = await createTenantResource({ ...h.admin, name: "Contoso", jit: false });
  tenantUrl = `${tenant.scimUrl}?aadOptscim062020`;
  key = await createKeyResource({
    ...h.admin,
    tenantId: tenant.tenantId,
    rotation: "1",
    description: "test",
  });
});
afterAll(async () => h?.close());

describe("the provisioning job resource against the Graph emulator", () => {
  it("creates a scim job, passes Test Connection and saves the secrets", async () => {
    const out = await createJobResource(inputs(), deps());
    expect(out.jobId).toMatch(/^scim\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
    const saved = await getSecrets(h.graph, spId);
    expect(saved.map((s) => s.key).sort()).toEqual([
      "BaseAddress",
      "SecretToken",
      "SyncAll",
      "SyncNotificationSettings",
    ]);
    expect(saved.find((s) => s.key === "SecretToken")?.value).not.toBe(key.token);
    expect(await readJobResource(out, deps())).toMatchObject({ jobId: out.jobId, drift: [] });
    await deleteJobResource(out, deps());
  });

  it("fails with Graph's reason and leaves no job behind when Test Connection fails", async () => {
    const before = (await listJobs(h.graph, spId)).length;
    const err = await createJobResource(inputs({ secretToken: "nope:bad" }), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialValidationError);
    expect((err as CredentialValidationError).code).toBe(
      "SystemForCrossDomainIdentityManagementCredentialValidationFailure",
    );
    expect((err as Error).message).toContain("Test Connection failed");
    expect((await listJobs(h.graph, spId)).length).toBe(before);
  });

  it("fails when the Tenant URL does not answer like a SCIM endpoint", async () => {
    const err = await createJobResource(
      inputs({ baseAddress: `${h.service.url}/nothing-here` }),
      deps(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialValidationError);
  });

  it("reads a job deleted in the portal as gone", async () => {
    const out = await createJobResource(inputs(), deps());
    await h.graph.delete(jobPath(spId, out.jobId));
    expect(await readJobResource(out, deps())).toBeUndefined();
  });

  it("reads a BaseAddress changed by hand as drift, and the diff asks to re-save", async () => {
    const out = await createJobResource(inputs(), deps());
    await putSecrets(h.graph, spId, [
      { key: "BaseAddress", value: "https://elsewhere.example/scim" },
      { key: "SecretToken", value: key.token },
    ]);
    const read = await readJobResource(out, deps());
    expect(read?.drift).toEqual([
      `BaseAddress is https://elsewhere.example/scim, the stack wants ${tenantUrl}`,
    ]);
    expect(diffJobResource(read!, inputs()).changes).toEqual(["secretToken"]);
    await updateJobResource(read!, inputs(), deps());
    expect((await readJobResource(out, deps()))?.drift).toEqual([]);
    await deleteJobResource(out, deps());
  });

  it("rotates the token: validates and saves the new key before the old one is revoked", async () => {
    const out = await createJobResource(inputs(), deps());
    const next = await createKeyResource({ ...key, rotation: "2" });
    expect(diffJobResource(out, inputs({ secretToken: next.token }))).toEqual({
      replaces: [],
      changes: ["secretToken"],
    });
    await updateJobResource(out, inputs({ secretToken: next.token }), deps());
    await deleteKeyResource(key);
    const err = await updateJobResource(out, inputs({ secretToken: key.token }), deps()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CredentialValidationError);
    key = next;
    await deleteJobResource(out, deps());
  });

  it("replaces the job when the service principal or template changes", () => {
    const olds = { ...inputs(), jobId: "j", drift: [] };
    expect(diffJobResource(olds, inputs({ servicePrincipalId: "other" })).replaces).toEqual([
      "servicePrincipalId",
    ]);
    expect(diffJobResource(olds, inputs({ templateId: "customappsso" })).replaces).toEqual(["templateId"]);
    expect(diffJobResource(olds, inputs())).toEqual({ replaces: [], changes: [] });
  });

  it("deletes a running job: pauses, deletes and waits until it is gone", async () => {
    const out = await createJobResource(inputs(), deps());
    await applyRunState(
      { graphUrl: out.graphUrl, servicePrincipalId: spId, jobId: out.jobId, enabled: true },
      deps(),
    );
    await deleteJobResource(out, deps());
    expect(await readJobResource(out, deps())).toBeUndefined();
    await deleteJobResource(out, deps());
  });
});

describe("the run-state resource against the Graph emulator", () => {
  it("starts the job, and sees a pause in the portal as drift that an update repairs", async () => {
    const job = await createJobResource(inputs(), deps());
    const run = { graphUrl: job.graphUrl, servicePrincipalId: spId, jobId: job.jobId, enabled: true };
    expect(await applyRunState(run, deps())).toMatchObject({ scheduleState: "Active", quarantine: null });
    await h.graph.post(`${jobPath(spId, job.jobId)}/pause`);
    expect(await diffRunStateLive(run, deps())).toEqual(["the job is Paused but the stack wants it running"]);
    const refreshed = await readRunState(
      { ...run, scheduleState: "Active", statusCode: "NotRun", quarantine: null },
      deps(),
    );
    expect(refreshed).toMatchObject({ enabled: false, scheduleState: "Paused" });
    await applyRunState(run, deps());
    expect(await diffRunStateLive(run, deps())).toEqual([]);
    await deleteJobResource(job, deps());
  });

  it("reports a quarantine (revoked token) as drift, and start clears it", async () => {
    const job = await createJobResource(inputs(), deps());
    const run = { graphUrl: job.graphUrl, servicePrincipalId: spId, jobId: job.jobId, enabled: true };
    const staff = await findGroup(h.graph, { displayName: "Staff" });
    await assignToApp(h.graph, spId, staff.id, await readUserRoleId(h.graph, spId));
    await applyRunState(run, deps());
    await deleteKeyResource(key);
    await h.emulator.runCycle(spId, job.jobId);
    const drift = await diffRunStateLive(run, deps());
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(/^the job is quarantined \(/);
    const state = await readRunState({ ...run, scheduleState: "", statusCode: "", quarantine: null }, deps());
    expect(state).toMatchObject({ enabled: false, statusCode: "Quarantine" });
    expect((await applyRunState(run, deps())).quarantine).toBeNull();
    key = await createKeyResource({ ...key, rotation: "3" });
    await deleteJobResource(job, deps());
  });

  it("pauses the job when the stack says enabled: false", async () => {
    const job = await createJobResource(inputs(), deps());
    const run = { graphUrl: job.graphUrl, servicePrincipalId: spId, jobId: job.jobId, enabled: true };
    await applyRunState(run, deps());
    expect(await applyRunState({ ...run, enabled: false }, deps())).toMatchObject({
      scheduleState: "Paused",
    });
    expect(await diffRunStateLive({ ...run, enabled: false }, deps())).toEqual([]);
    await deleteJobResource(job, deps());
  });
});
