/** The scimgate Pulumi program: config -> components -> outputs (glue only). */
import { EntraEnterpriseApp } from "./components/entra-enterprise-app.js";
import { GroupAssignments } from "./components/group-assignments.js";
import { ScimProvisioning } from "./components/scim-provisioning.js";
import { ScimTargetTenant } from "./components/scim-target-tenant.js";
import { loadStackConfig } from "./config.js";

const { config, adminToken } = loadStackConfig();

const app = new EntraEnterpriseApp("entra", { ...config.app, graphUrl: config.graphUrl });

const assigned = new GroupAssignments("entra-groups", {
  groups: config.groups,
  servicePrincipalObjectId: app.servicePrincipalObjectId,
  userRoleId: app.userRoleId,
});

const target = new ScimTargetTenant("scimgate", {
  adminUrl: config.service.url,
  adminToken,
  name: config.tenant.name,
  jit: config.tenant.jit,
  keyRotation: config.service.keyRotation,
  keyExpiresInDays: config.service.keyExpiresInDays,
  patchCompliance: config.service.patchCompliance,
  roles: config.roles.definitions,
  defaultRoles: config.roles.defaultRoles,
  groups: assigned.groups,
});

const provisioning = new ScimProvisioning(
  "entra-provisioning",
  {
    graphUrl: config.graphUrl,
    servicePrincipalObjectId: app.servicePrincipalObjectId,
    templateId: config.provisioning.templateId,
    baseAddress: target.tenantUrl,
    secretToken: target.token,
    syncAll: config.provisioning.syncAll,
    notifications: config.provisioning.notifications,
    spec: { users: config.provisioning.users, groups: config.provisioning.groups },
    enabled: config.provisioning.enabled,
  },
  { dependsOn: [assigned] },
);

/** The Tenant URL Entra provisions to. */
export const tenantUrl = target.tenantUrl;
/** The scimgate tenant id. */
export const tenantId = target.tenantId;
/** Object id of the Entra application. */
export const applicationObjectId = app.applicationObjectId;
/** Application (client) id. */
export const clientId = app.clientId;
/** Object id of the Enterprise App's service principal. */
export const servicePrincipalObjectId = app.servicePrincipalObjectId;
/** The provisioning job id. */
export const jobId = provisioning.jobId;
/** The job's status code (NotRun, Active, Paused, Quarantine...). */
export const jobStatus = provisioning.statusCode;
/** The job's schedule state (Active, Paused, Disabled). */
export const jobSchedule = provisioning.scheduleState;
/** The quarantine reason, or null. */
export const jobQuarantine = provisioning.quarantine;
