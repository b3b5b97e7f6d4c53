/** Reads the template app's service principal (appId and User role id), waiting out replication lag. */
import { createGraphFromEnv } from "./credentials.js";
import type { ResourceDeps } from "./job-resource.js";
import { getServicePrincipal } from "./sync-job.js";

/** Inputs of the service-principal lookup resource. */
export interface ServicePrincipalInfoInputs {
  graphUrl: string;
  servicePrincipalId: string;
}

/** Outputs: the application (client) id and the id of the "User" app role. */
export interface ServicePrincipalInfoOutputs extends ServicePrincipalInfoInputs {
  appId: string;
  userRoleId: string;
}

/**
 * GETs the service principal, retrying 404 while it replicates (docs: poll every 5-10 s after
 * instantiate), and picks the "User" role by display name (its id differs between template revisions).
 */
export async function readServicePrincipalInfo(
  i: ServicePrincipalInfoInputs,
  deps: ResourceDeps = {},
): Promise<ServicePrincipalInfoOutputs> {
  const graph = deps.graph ?? createGraphFromEnv(i.graphUrl, process.env, deps);
  const policy = deps.retry ?? { retries: 12, baseDelayMs: 5000, maxDelayMs: 10_000 };
  type Sp = { appId: string; appRoles?: { displayName: string; id: string }[] };
  const sp = await getServicePrincipal<Sp>(graph, i.servicePrincipalId, policy);
  const role = (sp.appRoles ?? []).find((r) => r.displayName === "User");
  if (!role)
    throw new Error(
      `service principal ${i.servicePrincipalId} has no "User" app role; was it instantiated from the non-gallery template?`,
    );
  return { ...i, appId: sp.appId, userRoleId: role.id };
}
