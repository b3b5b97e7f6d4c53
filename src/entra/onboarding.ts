/** The whole onboarding of one stack, in `pulumi up` order, on Graph and the admin API (the sandbox runs it). */
import { assignToApp, createGroup, findGroup, instantiateApp, readUserRoleId } from "./directory-ops.js";
import type { Graph } from "./graph-client.js";
import { applyRunState, createJobResource, type JobOutputs, type RunOutputs } from "./job-resource.js";
import type { NotificationSpec } from "./job-status.js";
import type { ObjectMappingSpec } from "./mapping-spec.js";
import type { RetryPolicy } from "./retry.js";
import { applySchemaResource, type SchemaOutputs } from "./schema-resource.js";
import {
  type AdminConnection,
  type AdminDeps,
  applyRoleMappings,
  buildRoleMappingDocument,
  buildTenantUrl,
  createKeyResource,
  createTenantResource,
  type TenantOutputs,
} from "./scimgate-tenant.js";

/** What an onboarding needs from a stack (structurally, infra's StackConfig). */
export interface OnboardingPlan {
  tenant: { name: string; jit: boolean };
  service: { keyRotation: string; keyExpiresInDays?: number; patchCompliance: boolean };
  app: { displayName: string };
  groups: readonly {
    key: string;
    objectId?: string;
    displayName?: string;
    create: boolean;
    description?: string;
    members: readonly string[];
    dynamicRule?: string;
    roles: readonly string[];
  }[];
  roles: { definitions: { name: string; description?: string }[]; defaultRoles: string[] };
  provisioning: {
    enabled: boolean;
    templateId: string;
    syncAll: boolean;
    notifications: NotificationSpec;
    users: ObjectMappingSpec;
    groups: ObjectMappingSpec;
  };
}

/** Where the onboarding runs. */
export interface OnboardingTargets {
  graph: Graph;
  admin: AdminConnection;
  adminDeps?: AdminDeps;
  retry?: RetryPolicy;
}

/** What an onboarding created. */
export interface OnboardingResult {
  servicePrincipalObjectId: string;
  applicationObjectId: string;
  groups: { key: string; objectId: string; displayName: string; roles: string[] }[];
  tenant: TenantOutputs;
  tenantUrl: string;
  job: JobOutputs;
  schema: SchemaOutputs;
  run: RunOutputs;
}

async function assignGroups(plan: OnboardingPlan, t: OnboardingTargets, spId: string) {
  const roleId = await readUserRoleId(t.graph, spId, t.retry);
  const out: OnboardingResult["groups"] = [];
  for (const g of plan.groups) {
    const found = g.create
      ? await createGroup(t.graph, {
          displayName: g.displayName!,
          description: g.description,
          members: g.members,
        })
      : await findGroup(t.graph, g);
    await assignToApp(t.graph, spId, found.id, roleId, t.retry);
    out.push({ key: g.key, objectId: found.id, displayName: found.displayName, roles: [...g.roles] });
  }
  return out;
}

/** Runs the onboarding: app, group assignments, scimgate tenant/key/roles, job, mappings, start. */
export async function runOnboarding(plan: OnboardingPlan, t: OnboardingTargets): Promise<OnboardingResult> {
  const app = await instantiateApp(t.graph, plan.app.displayName, t.retry);
  const sp = app.servicePrincipalObjectId;
  const groups = await assignGroups(plan, t, sp);
  const tenant = await createTenantResource({ ...t.admin, ...plan.tenant }, t.adminDeps);
  const key = await createKeyResource(
    {
      ...t.admin,
      tenantId: tenant.tenantId,
      rotation: plan.service.keyRotation,
      description: `Entra provisioning (rotation ${plan.service.keyRotation})`,
      ...(plan.service.keyExpiresInDays ? { expiresInDays: plan.service.keyExpiresInDays } : {}),
    },
    t.adminDeps,
  );
  const document = buildRoleMappingDocument(plan.roles.definitions, plan.roles.defaultRoles, groups);
  await applyRoleMappings({ ...t.admin, tenantId: tenant.tenantId, document }, t.adminDeps);
  const tenantUrl = buildTenantUrl(tenant.scimUrl, plan.service.patchCompliance);
  const p = plan.provisioning;
  const common = { graphUrl: t.graph.graphUrl, servicePrincipalId: sp };
  const deps = { graph: t.graph, retry: t.retry };
  const job = await createJobResource(
    {
      ...common,
      templateId: p.templateId,
      baseAddress: tenantUrl,
      secretToken: key.token,
      syncAll: p.syncAll,
      notifications: p.notifications,
    },
    deps,
  );
  const spec = { users: p.users, groups: p.groups };
  const schema = await applySchemaResource({ ...common, jobId: job.jobId, spec }, undefined, deps);
  const run = await applyRunState({ ...common, jobId: job.jobId, enabled: p.enabled }, deps);
  return {
    servicePrincipalObjectId: sp,
    applicationObjectId: app.applicationObjectId,
    groups,
    tenant,
    tenantUrl,
    job,
    schema,
    run,
  };
}
