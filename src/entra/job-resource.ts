/** CRUD of the provisioning job and its run state, as the Pulumi dynamic providers call them. */
import { createGraphFromEnv } from "./credentials.js";
import type { Graph } from "./graph-client.js";
import {
  buildSecretPairs,
  buildTestCredentials,
  type CredentialSpec,
  diffRunState,
  diffSecrets,
  summarizeJob,
} from "./job-status.js";
import type { RetryPolicy } from "./retry.js";
import {
  createJob,
  deleteJob,
  getJob,
  getSecrets,
  getServicePrincipal,
  listTemplates,
  pauseJob,
  putSecrets,
  startJob,
  validateCredentials,
} from "./sync-job.js";

/** Injected collaborators; the providers pass none and get Graph from the environment. */
export interface ResourceDeps {
  graph?: Graph;
  retry?: RetryPolicy;
}

/** Inputs of the job resource. */
export interface JobInputs extends CredentialSpec {
  graphUrl: string;
  servicePrincipalId: string;
  templateId: string;
}

/** Outputs of the job resource. */
export interface JobOutputs extends JobInputs {
  jobId: string;
  /** Drift seen by the last read (secrets missing or BaseAddress changed by hand). */
  drift: string[];
}

const graphOf = (graphUrl: string, deps: ResourceDeps) =>
  deps.graph ?? createGraphFromEnv(graphUrl, process.env, deps);

/**
 * Creates the job from its template, runs Test Connection and saves the secrets; on failure the job is
 * deleted again, so a failed create leaves nothing behind.
 */
export async function createJobResource(inputs: JobInputs, deps: ResourceDeps = {}): Promise<JobOutputs> {
  const graph = graphOf(inputs.graphUrl, deps);
  const sp = inputs.servicePrincipalId;
  await getServicePrincipal(graph, sp, deps.retry);
  const templates = await listTemplates(graph, sp, deps.retry);
  if (!templates.some((t) => t.id === inputs.templateId))
    throw new Error(
      `service principal ${sp} has no synchronization template "${inputs.templateId}" (has: ${templates.map((t) => t.id).join(", ")})`,
    );
  const job = await createJob(graph, sp, inputs.templateId, deps.retry);
  try {
    await saveCredentials(graph, sp, job.id, inputs, deps);
  } catch (err) {
    await deleteJob(graph, sp, job.id, deps.retry).catch(() => undefined);
    throw err;
  }
  return { ...inputs, jobId: job.id, drift: [] };
}

async function saveCredentials(
  graph: Graph,
  sp: string,
  jobId: string,
  c: CredentialSpec,
  deps: ResourceDeps,
) {
  await validateCredentials(graph, sp, jobId, buildTestCredentials(c), deps.retry);
  await putSecrets(graph, sp, buildSecretPairs(c), deps.retry);
}

/** Re-validates and re-saves the secrets (token rotation, new Tenant URL, scope or notifications). */
export async function updateJobResource(olds: JobOutputs, news: JobInputs, deps: ResourceDeps = {}) {
  const graph = graphOf(news.graphUrl, deps);
  await saveCredentials(graph, news.servicePrincipalId, olds.jobId, news, deps);
  return { ...news, jobId: olds.jobId, drift: [] } satisfies JobOutputs;
}

/** Reads the job back; undefined when it was deleted (e.g. in the portal). */
export async function readJobResource(
  props: JobOutputs,
  deps: ResourceDeps = {},
): Promise<JobOutputs | undefined> {
  const graph = graphOf(props.graphUrl, deps);
  const job = await getJob(graph, props.servicePrincipalId, props.jobId);
  if (!job) return undefined;
  const drift = diffSecrets(props, await getSecrets(graph, props.servicePrincipalId));
  return { ...props, templateId: job.templateId ?? props.templateId, drift };
}

/** Input keys whose change needs a new job. */
export const JOB_REPLACE_KEYS = ["servicePrincipalId", "templateId"] as const;

/** Input keys whose change re-saves the secrets. */
export const JOB_UPDATE_KEYS = ["baseAddress", "secretToken", "syncAll", "notifications"] as const;

/** Decides replace/update for the job from old outputs and new inputs (pure). */
export function diffJobResource(
  olds: JobOutputs,
  news: JobInputs,
): { replaces: string[]; changes: string[] } {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const replaces = JOB_REPLACE_KEYS.filter((k) => !same(olds[k], news[k]));
  const changes = JOB_UPDATE_KEYS.filter((k) => !same(olds[k], news[k]));
  if ((olds.drift ?? []).length > 0) changes.push("secretToken");
  return { replaces: [...replaces], changes: [...new Set([...replaces, ...changes])] };
}

/** Stops and removes the job (pause, DELETE, wait for 404); a job already gone is fine. */
export async function deleteJobResource(props: JobOutputs, deps: ResourceDeps = {}): Promise<void> {
  const graph = graphOf(props.graphUrl, deps);
  const job = await getJob(graph, props.servicePrincipalId, props.jobId);
  if (!job) return;
  if (job.schedule?.state === "Active")
    await pauseJob(graph, props.servicePrincipalId, props.jobId, deps.retry);
  await deleteJob(graph, props.servicePrincipalId, props.jobId, deps.retry);
}

/** Inputs of the run-state resource (start or pause). */
export interface RunInputs {
  graphUrl: string;
  servicePrincipalId: string;
  jobId: string;
  enabled: boolean;
}

/** Outputs of the run-state resource: the observed schedule and status. */
export interface RunOutputs extends RunInputs {
  scheduleState: string;
  statusCode: string;
  quarantine: string | null;
}

/** Starts (also clearing a quarantine) or pauses the job, then reads its state. */
export async function applyRunState(inputs: RunInputs, deps: ResourceDeps = {}): Promise<RunOutputs> {
  const graph = graphOf(inputs.graphUrl, deps);
  if (inputs.enabled) await startJob(graph, inputs.servicePrincipalId, inputs.jobId, deps.retry);
  else await pauseJob(graph, inputs.servicePrincipalId, inputs.jobId, deps.retry);
  return observeRunState(graph, inputs);
}

async function observeRunState(graph: Graph, inputs: RunInputs): Promise<RunOutputs> {
  const job = await getJob(graph, inputs.servicePrincipalId, inputs.jobId);
  if (!job) throw new Error(`synchronization job ${inputs.jobId} does not exist`);
  const s = summarizeJob(job);
  return { ...inputs, scheduleState: s.scheduleState, statusCode: s.statusCode, quarantine: s.quarantine };
}

/** Reads the run state; `enabled` reflects the job (running and not quarantined) so a refresh shows drift. */
export async function readRunState(
  props: RunOutputs,
  deps: ResourceDeps = {},
): Promise<RunOutputs | undefined> {
  const graph = graphOf(props.graphUrl, deps);
  const job = await getJob(graph, props.servicePrincipalId, props.jobId);
  if (!job) return undefined;
  const s = summarizeJob(job);
  const enabled = diffRunState(props.enabled, job).length === 0 ? props.enabled : !props.enabled;
  return {
    ...props,
    enabled,
    scheduleState: s.scheduleState,
    statusCode: s.statusCode,
    quarantine: s.quarantine,
  };
}

/** Live drift of the run state: what differs between the wanted and the actual job state. */
export async function diffRunStateLive(news: RunInputs, deps: ResourceDeps = {}): Promise<string[]> {
  const graph = graphOf(news.graphUrl, deps);
  return diffRunState(news.enabled, await getJob(graph, news.servicePrincipalId, news.jobId));
}
