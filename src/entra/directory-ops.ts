/** Graph directory calls that azuread makes during `pulumi up`, for the offline sandbox and the CLI. */
import { type Graph, GraphRequestError, hasGraphStatus } from "./graph-client.js";
import { type RetryPolicy, withRetry } from "./retry.js";
import { readServicePrincipalInfo } from "./service-principal-info.js";
import { getServicePrincipal } from "./sync-job.js";

/** Application template id of a non-gallery ("Custom") app. */
export const NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

/** The objects an instantiated template app consists of. */
export interface InstantiatedApp {
  applicationObjectId: string;
  servicePrincipalObjectId: string;
  appId: string;
}

/** Instantiates the non-gallery template (201) and waits until the service principal is readable. */
export async function instantiateApp(
  graph: Graph,
  displayName: string,
  policy?: RetryPolicy,
): Promise<InstantiatedApp> {
  type Obj = { id?: string; objectId?: string; appId: string };
  const res = await graph.post<{ application: Obj; servicePrincipal: Obj }>(
    `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`,
    { displayName },
  );
  // The beta tutorial returns objectId; v1.0 returns id.
  const spId = res.servicePrincipal.id ?? res.servicePrincipal.objectId ?? "";
  await getServicePrincipal(graph, spId, policy);
  return {
    applicationObjectId: res.application.id ?? res.application.objectId ?? "",
    servicePrincipalObjectId: spId,
    appId: res.application.appId,
  };
}

/** Reads the id of the service principal's "User" app role (the lookup the Pulumi program uses). */
export async function readUserRoleId(graph: Graph, spId: string, policy?: RetryPolicy): Promise<string> {
  const info = await readServicePrincipalInfo(
    { graphUrl: graph.graphUrl, servicePrincipalId: spId },
    { graph, retry: policy },
  );
  return info.userRoleId;
}

/** A directory group as scimgate needs it. */
export interface GroupRef {
  id: string;
  displayName: string;
}

/** Finds a group by objectId or by displayName (exactly one match required). */
export async function findGroup(
  graph: Graph,
  by: { objectId?: string; displayName?: string },
): Promise<GroupRef> {
  if (by.objectId) return graph.get<GroupRef>(`/groups/${encodeURIComponent(by.objectId)}`);
  const name = (by.displayName ?? "").replace(/'/g, "''");
  const res = await graph.get<{ value: GroupRef[] }>(
    `/groups?$filter=${encodeURIComponent(`displayName eq '${name}'`)}`,
  );
  if (res.value.length !== 1)
    throw new Error(`expected one group named "${by.displayName}", found ${res.value.length}`);
  return res.value[0]!;
}

/** Creates a security group and adds its members. */
export async function createGroup(
  graph: Graph,
  g: { displayName: string; description?: string; members: readonly string[] },
): Promise<GroupRef> {
  const mailNickname = g.displayName.replace(/[^A-Za-z0-9]/g, "").slice(0, 60) || "group";
  const body = { displayName: g.displayName, mailEnabled: false, mailNickname, securityEnabled: true };
  const group = await graph.post<GroupRef>(
    "/groups",
    g.description ? { ...body, description: g.description } : body,
  );
  for (const m of g.members)
    await graph.post(`/groups/${group.id}/members/$ref`, {
      "@odata.id": `${graph.graphUrl}/directoryObjects/${m}`,
    });
  return group;
}

/** True for the replication-lag answers of appRoleAssignedTo (terraform-provider-azuread retries both). */
function isAssignmentLag(err: unknown): boolean {
  return (
    hasGraphStatus(err, 404) ||
    (err instanceof GraphRequestError &&
      err.status === 400 &&
      /Not a valid reference update/i.test(err.graphMessage))
  );
}

/** Assigns a principal (user or group) to the app with the given role (201). */
export async function assignToApp(
  graph: Graph,
  spId: string,
  principalId: string,
  appRoleId: string,
  policy?: RetryPolicy,
): Promise<{ id: string }> {
  return withRetry(
    () =>
      graph.post<{ id: string }>(`/servicePrincipals/${spId}/appRoleAssignedTo`, {
        principalId,
        resourceId: spId,
        appRoleId,
      }),
    isAssignmentLag,
    policy,
  );
}
