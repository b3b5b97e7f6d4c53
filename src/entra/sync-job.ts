/** Synchronization job operations on Graph (v1.0), with the retries Entra's eventual consistency needs. */
import { type Graph, GraphRequestError, hasGraphStatus } from "./graph-client.js";
import { type RetryPolicy, waitUntil, withRetry } from "./retry.js";
import type { SecretPair, SyncJob, SyncSchema } from "./sync-types.js";

/** Template id of the SCIM job of a non-gallery app (`customappsso` is the legacy one). */
export const SCIM_TEMPLATE_ID = "scim";

/** Path of a service principal's synchronization jobs collection. */
export const jobsPath = (spId: string): string =>
  `/servicePrincipals/${encodeURIComponent(spId)}/synchronization/jobs`;

/** Path of one synchronization job. */
export const jobPath = (spId: string, jobId: string): string =>
  `${jobsPath(spId)}/${encodeURIComponent(jobId)}`;

/** Path of a service principal's synchronization secrets. */
export const secretsPath = (spId: string): string =>
  `/servicePrincipals/${encodeURIComponent(spId)}/synchronization/secrets`;

/**
 * True for the errors the sync backend answers while a new service principal is not yet known to it:
 * 401/403/409 (terraform-provider-azuread retries 403/409; scripts see a transient 401 on POST jobs).
 */
export function isSyncBackendLag(err: unknown): boolean {
  return hasGraphStatus(err, 401, 403, 409);
}

/** True for a directory-replication 404 right after an object was created. */
export function isReplicationLag(err: unknown): boolean {
  return hasGraphStatus(err, 404);
}

/** Reads a service principal, retrying 404s while it replicates (docs: poll every 5-10 s). */
export async function getServicePrincipal<T = { id: string; appId: string; appRoles?: unknown[] }>(
  graph: Graph,
  spId: string,
  policy?: RetryPolicy,
): Promise<T> {
  return withRetry(
    () => graph.get<T>(`/servicePrincipals/${encodeURIComponent(spId)}`),
    isReplicationLag,
    policy,
  );
}

/** Lists sync templates, retrying while the list is empty or answers UnknownError right after instantiate. */
export async function listTemplates(
  graph: Graph,
  spId: string,
  policy?: RetryPolicy,
): Promise<{ id: string }[]> {
  const path = `/servicePrincipals/${encodeURIComponent(spId)}/synchronization/templates`;
  return withRetry(
    async () => {
      const res = await graph.get<{ value: { id: string }[] }>(path);
      if (res.value.length === 0) throw new EmptyTemplatesError(spId);
      return res.value;
    },
    (err) =>
      err instanceof EmptyTemplatesError ||
      isSyncBackendLag(err) ||
      isReplicationLag(err) ||
      isUnknownError(err),
    policy,
  );
}

class EmptyTemplatesError extends Error {
  constructor(spId: string) {
    super(`service principal ${spId} has no synchronization templates; was it instantiated from a template?`);
  }
}

function isUnknownError(err: unknown): boolean {
  return err instanceof GraphRequestError && err.code === "UnknownError" && err.status >= 500;
}

/** Creates a job from `templateId` (201), retrying backend lag, then waits until GET sees it. */
export async function createJob(
  graph: Graph,
  spId: string,
  templateId: string,
  policy?: RetryPolicy,
): Promise<SyncJob> {
  const job = await withRetry(
    () => graph.post<SyncJob>(jobsPath(spId), { templateId }),
    (e) => isSyncBackendLag(e) || isReplicationLag(e),
    policy,
  );
  await waitUntil(async () => (await getJob(graph, spId, job.id)) !== undefined, `job ${job.id}`, policy);
  return job;
}

/** Reads a job; undefined when Graph answers 404 (deleted, e.g. in the portal). */
export async function getJob(graph: Graph, spId: string, jobId: string): Promise<SyncJob | undefined> {
  try {
    return await graph.get<SyncJob>(jobPath(spId, jobId));
  } catch (err) {
    if (hasGraphStatus(err, 404)) return undefined;
    throw err;
  }
}

/** Lists the jobs of a service principal. */
export async function listJobs(graph: Graph, spId: string): Promise<SyncJob[]> {
  return (await graph.get<{ value: SyncJob[] }>(jobsPath(spId))).value;
}

/** Test Connection failed: Graph's code and message, e.g. SystemForCrossDomainIdentityManagementCredentialValidationUnavailable. */
export class CredentialValidationError extends Error {
  constructor(
    readonly code: string,
    readonly graphMessage: string,
  ) {
    super(
      `Entra could not connect to the SCIM endpoint (Test Connection failed): ${code}: ${graphMessage}. ` +
        "Check that the Tenant URL answers GET /Users?filter=... with 200 and that the Secret Token is a live scimgate access key.",
    );
    this.name = "CredentialValidationError";
  }
}

/** Runs Test Connection (validateCredentials) with the given credentials; throws CredentialValidationError. */
export async function validateCredentials(
  graph: Graph,
  spId: string,
  jobId: string,
  credentials: SecretPair[],
  policy?: RetryPolicy,
): Promise<void> {
  try {
    await withRetry(
      () =>
        graph.post(`${jobPath(spId, jobId)}/validateCredentials`, {
          useSavedCredentials: false,
          credentials,
        }),
      isSyncBackendLag,
      policy,
    );
  } catch (err) {
    // Graph does not document the status of a failed test; match on the code, not the status.
    if (
      err instanceof GraphRequestError &&
      /CredentialValidation|HTTP\/\d+|expected HTTP/i.test(`${err.code} ${err.graphMessage}`)
    )
      throw new CredentialValidationError(err.code, err.graphMessage);
    if (err instanceof GraphRequestError && err.status === 400)
      throw new CredentialValidationError(err.code, err.graphMessage);
    throw err;
  }
}

/** Saves the secrets (PUT replaces the whole set, 204), then waits until GET lists every key sent. */
export async function putSecrets(
  graph: Graph,
  spId: string,
  pairs: SecretPair[],
  policy?: RetryPolicy,
): Promise<void> {
  await withRetry(() => graph.put(secretsPath(spId), { value: pairs }), isSyncBackendLag, policy);
  const wanted = pairs.filter((p) => p.value !== "").map((p) => p.key);
  await waitUntil(
    async () => {
      const got = new Set((await getSecrets(graph, spId)).map((p) => p.key));
      return wanted.every((k) => got.has(k));
    },
    "the saved synchronization secrets",
    policy,
  );
}

/** Reads the secrets; sensitive values come back masked as "*". */
export async function getSecrets(graph: Graph, spId: string): Promise<SecretPair[]> {
  return (await graph.get<{ value: SecretPair[] }>(secretsPath(spId))).value ?? [];
}

/** Starts a job (204); also clears a quarantine. */
export async function startJob(
  graph: Graph,
  spId: string,
  jobId: string,
  policy?: RetryPolicy,
): Promise<void> {
  await withRetry(() => graph.post(`${jobPath(spId, jobId)}/start`), isSyncBackendLag, policy);
}

/** Pauses a job (204); progress is kept. */
export async function pauseJob(
  graph: Graph,
  spId: string,
  jobId: string,
  policy?: RetryPolicy,
): Promise<void> {
  await withRetry(() => graph.post(`${jobPath(spId, jobId)}/pause`), isSyncBackendLag, policy);
}

/** Restart scopes that `scimgate entra restart --reset` sends (a flags enum as a comma+space list). */
export const FULL_RESET_SCOPE = "Watermark, Escrows, QuarantineState";

/** Restarts a job; with `resetScope` it clears the given state (e.g. FULL_RESET_SCOPE). */
export async function restartJob(
  graph: Graph,
  spId: string,
  jobId: string,
  resetScope?: string,
): Promise<void> {
  const body = resetScope ? { criteria: { resetScope } } : { criteria: { resetScope: "None" } };
  await graph.post(`${jobPath(spId, jobId)}/restart`, body);
}

/** Deletes a job (204) and waits until GET answers 404; a job already gone is fine. */
export async function deleteJob(
  graph: Graph,
  spId: string,
  jobId: string,
  policy?: RetryPolicy,
): Promise<void> {
  try {
    await withRetry(() => graph.delete(jobPath(spId, jobId)), isSyncBackendLag, policy);
  } catch (err) {
    if (!hasGraphStatus(err, 404)) throw err;
  }
  await waitUntil(
    async () => (await getJob(graph, spId, jobId)) === undefined,
    `deletion of job ${jobId}`,
    policy,
  );
}

/** Reads a job's schema (attribute mappings). */
export async function getSchema(graph: Graph, spId: string, jobId: string): Promise<SyncSchema> {
  return graph.get<SyncSchema>(`${jobPath(spId, jobId)}/schema`);
}

/** Replaces a job's schema; PUT, since the live service rejects PATCH with 404 (msgraph-metadata#676). */
export async function putSchema(
  graph: Graph,
  spId: string,
  jobId: string,
  schema: SyncSchema,
  policy?: RetryPolicy,
) {
  await withRetry(() => graph.put(`${jobPath(spId, jobId)}/schema`, schema), isSyncBackendLag, policy);
}
