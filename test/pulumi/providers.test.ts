import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_RESOURCE_MODULE, moduleLoader } from "../../infra/providers/modules.js";
import { UNKNOWN } from "../../infra/providers/provider-kit.js";
import { createJobProvider, createRunProvider } from "../../infra/providers/scim-job-provider.js";
import { createSchemaProvider } from "../../infra/providers/scim-schema-provider.js";
import {
  createKeyProvider,
  createRoleMappingProvider,
  createTenantProvider,
} from "../../infra/providers/scimgate-tenant-provider.js";
import { instantiateApp } from "../../src/entra/directory-ops.js";
import type { JobOutputs } from "../../src/entra/job-resource.js";
import { FAST_RETRY, type Harness, startHarness } from "../entra/harness.js";

let h: Harness;
const env = { ...process.env };
beforeAll(async () => {
  h = await startHarness();
  process.env.SCIMGATE_GRAPH_TOKEN = "provider-test";
  process.env.SCIMGATE_ADMIN_TOKEN = h.admin.adminToken;
});
afterAll(async () => {
  process.env = env;
  await h?.close();
});

const jobMod = () => import("../../src/entra/job-resource.js");
const schemaMod = () => import("../../src/entra/schema-resource.js");
const tenantMod = () => import("../../src/entra/scimgate-tenant.js");

describe("the dynamic providers, method by method, against the emulator and scimgate", () => {
  it("runs create, read, diff, update and delete of every resource in pulumi up order", async () => {
    const spId = (await instantiateApp(h.graph, "provider test", FAST_RETRY)).servicePrincipalObjectId;
    const tenantP = createTenantProvider(tenantMod);
    const keyP = createKeyProvider(tenantMod);
    const rolesP = createRoleMappingProvider(tenantMod);
    const jobP = createJobProvider(jobMod);
    const schemaP = createSchemaProvider(schemaMod);
    const runP = createRunProvider(jobMod);
    const admin = { adminUrl: h.admin.adminUrl };

    const tenant = await tenantP.create({ ...admin, name: "Prov", jit: false });
    expect(tenant.id).toBe(tenant.outs!.tenantId);
    const key = await keyP.create({ ...admin, tenantId: tenant.id, rotation: "a", description: "d" });
    const rolesIn = {
      ...admin,
      tenantId: tenant.id,
      document: { roles: [{ name: "member" }], defaultRoles: ["member"], mappings: [] },
    };
    const roles = await rolesP.create(rolesIn);
    expect(await rolesP.diff!(roles.id, roles.outs!, rolesIn)).toEqual({ changes: false });

    const jobIn = {
      graphUrl: h.graph.graphUrl,
      servicePrincipalId: spId,
      templateId: "scim",
      baseAddress: tenant.outs!.scimUrl,
      secretToken: key.outs!.token,
      syncAll: false,
      notifications: {},
    };
    const job = await jobP.create(jobIn);
    const jobOuts = job.outs as JobOutputs;
    expect(await jobP.read!(job.id, jobOuts)).toEqual({ id: job.id, props: jobOuts });
    expect(await jobP.diff!(job.id, jobOuts, jobIn)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await jobP.diff!(job.id, jobOuts, { ...jobIn, servicePrincipalId: UNKNOWN })).toEqual({
      changes: true,
    });

    const users = {
      enabled: true,
      matchingAttribute: "userName",
      mappings: [],
      remove: [],
      scopingFilter: [],
    };
    const groups = { ...users, matchingAttribute: "displayName" };
    const schemaIn = {
      graphUrl: h.graph.graphUrl,
      servicePrincipalId: spId,
      jobId: job.id,
      spec: { users, groups },
    };
    const schema = await schemaP.create(schemaIn);
    expect(await schemaP.diff!(schema.id, schema.outs!, schemaIn)).toEqual({ changes: false });
    const changed = { ...schemaIn, spec: { users: { ...users, remove: ["title"] }, groups } };
    expect(await schemaP.diff!(schema.id, schema.outs!, changed)).toEqual({ changes: true, replaces: [] });
    expect((await schemaP.update!(schema.id, schema.outs!, changed)).outs!.applied).toEqual([
      "users: remove title <- [jobTitle]",
    ]);

    const runIn = { graphUrl: h.graph.graphUrl, servicePrincipalId: spId, jobId: job.id, enabled: true };
    const run = await runP.create(runIn);
    expect(run.outs!.scheduleState).toBe("Active");
    expect(await runP.diff!(run.id, run.outs!, runIn)).toEqual({ changes: false });

    // rotation: a new key first, the job updated with it, then the old key revoked
    expect(
      await keyP.diff!(key.id, key.outs!, { ...admin, tenantId: tenant.id, rotation: "b", description: "d" }),
    ).toEqual({
      changes: true,
      replaces: ["rotation"],
      deleteBeforeReplace: false,
    });
    const next = await keyP.create({ ...admin, tenantId: tenant.id, rotation: "b", description: "d" });
    await jobP.update!(job.id, jobOuts, { ...jobIn, secretToken: next.outs!.token });
    await keyP.delete!(key.id, key.outs!);
    expect(await keyP.read!(key.id, key.outs!)).toEqual({ id: "" });

    await jobP.delete!(job.id, jobOuts);
    expect(await jobP.read!(job.id, jobOuts)).toEqual({ id: "" });
    await tenantP.delete!(tenant.id, tenant.outs!);
    expect(await tenantP.read!(tenant.id, tenant.outs!)).toEqual({ id: "" });
  });
});

describe("provider diffs that look at the live state (drift without a refresh)", () => {
  it("replaces a job deleted in the portal, a revoked key and a deleted tenant; resets a JIT flag flipped by hand", async () => {
    const spId = (await instantiateApp(h.graph, "drift test", FAST_RETRY)).servicePrincipalObjectId;
    const tenantP = createTenantProvider(tenantMod);
    const keyP = createKeyProvider(tenantMod);
    const jobP = createJobProvider(jobMod);
    const admin = { adminUrl: h.admin.adminUrl };
    const tenantIn = { ...admin, name: "Drift", jit: false };
    const tenant = await tenantP.create(tenantIn);
    const keyIn = { ...admin, tenantId: tenant.id, rotation: "a", description: "d" };
    const key = await keyP.create(keyIn);
    const jobIn = {
      graphUrl: h.graph.graphUrl,
      servicePrincipalId: spId,
      templateId: "scim",
      baseAddress: tenant.outs!.scimUrl,
      secretToken: key.outs!.token,
      syncAll: false,
      notifications: {},
    };
    const job = await jobP.create(jobIn);
    const client = (await tenantMod()).adminClientFor(h.admin);

    await client.updateTenant(tenant.id, { jit: true });
    expect(await tenantP.diff!(tenant.id, tenant.outs!, tenantIn)).toEqual({ changes: true, replaces: [] });
    await h.graph.delete(`/servicePrincipals/${spId}/synchronization/jobs/${job.id}`);
    expect(await jobP.diff!(job.id, job.outs!, jobIn)).toEqual({
      changes: true,
      replaces: ["templateId"],
      deleteBeforeReplace: false,
    });
    await client.revokeKey(tenant.id, key.id);
    expect(await keyP.diff!(key.id, key.outs!, keyIn)).toEqual({
      changes: true,
      replaces: ["rotation"],
      deleteBeforeReplace: false,
    });
    await client.deleteTenant(tenant.id);
    expect(await tenantP.diff!(tenant.id, tenant.outs!, tenantIn)).toEqual({
      changes: true,
      replaces: ["name"],
    });
  });
});

describe("the serialized provider", () => {
  it("runs in a fresh Node process, importing src/entra by URL as the engine's provider host would", async () => {
    const provider = createJobProvider(moduleLoader(JOB_RESOURCE_MODULE));
    const { text, exportName } = await pulumi.runtime.serializeFunction(() => provider, {
      allowSecrets: true,
    });
    const dir = mkdtempSync(join(tmpdir(), "scimgate-provider-"));
    const file = join(dir, "provider.cjs");
    writeFileSync(file, text);
    const olds = {
      servicePrincipalId: "sp",
      templateId: "scim",
      baseAddress: "a",
      secretToken: "t",
      syncAll: false,
      notifications: {},
      drift: [],
    };
    const script = `const p = require(${JSON.stringify(file)}).${exportName}();
      p.diff("id", ${JSON.stringify(olds)}, ${JSON.stringify({ ...olds, templateId: "customappsso" })})
        .then((r) => process.stdout.write(JSON.stringify(r)));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: process.cwd(),
    });
    rmSync(dir, { recursive: true, force: true });
    expect(JSON.parse(stdout)).toEqual({
      changes: true,
      replaces: ["templateId"],
      deleteBeforeReplace: false,
    });
  });
});
