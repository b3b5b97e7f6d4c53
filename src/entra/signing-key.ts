/** Activates the SAML token signing certificate on the service principal (azuread creates it but cannot activate it). */
import { createGraphFromEnv } from "./credentials.js";
import type { ResourceDeps } from "./job-resource.js";
import { getServicePrincipal } from "./sync-job.js";

/** Inputs of the signing-key activation resource. */
export interface SigningKeyInputs {
  graphUrl: string;
  servicePrincipalId: string;
  /** Thumbprint of the token signing certificate to make the active one. */
  thumbprint: string;
}

/** Outputs: the inputs plus the thumbprint Graph reports as active. */
export interface SigningKeyOutputs extends SigningKeyInputs {
  activeThumbprint: string | null;
}

/** Sets preferredTokenSigningKeyThumbprint (PATCH, 204), as the SAML SSO tutorial's last step. */
export async function activateSigningKey(
  i: SigningKeyInputs,
  deps: ResourceDeps = {},
): Promise<SigningKeyOutputs> {
  const graph = deps.graph ?? createGraphFromEnv(i.graphUrl, process.env, deps);
  await getServicePrincipal(graph, i.servicePrincipalId, deps.retry);
  await graph.patch(`/servicePrincipals/${encodeURIComponent(i.servicePrincipalId)}`, {
    preferredTokenSigningKeyThumbprint: i.thumbprint,
  });
  return { ...i, activeThumbprint: i.thumbprint };
}

/** Reads the active thumbprint; a different one (changed in the portal) is drift. */
export async function readSigningKey(
  o: SigningKeyOutputs,
  deps: ResourceDeps = {},
): Promise<SigningKeyOutputs> {
  const graph = deps.graph ?? createGraphFromEnv(o.graphUrl, process.env, deps);
  const sp = await getServicePrincipal<{ preferredTokenSigningKeyThumbprint?: string | null }>(
    graph,
    o.servicePrincipalId,
  );
  return { ...o, activeThumbprint: sp.preferredTokenSigningKeyThumbprint ?? null };
}
