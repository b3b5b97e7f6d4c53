/** Day-2 operations behind `scimgate entra …`: status, Test Connection, provision on demand, restart, logs. */
import type { Graph } from "./graph-client.js";
import { type JobSummary, summarizeJob } from "./job-status.js";
import { findObjectMapping } from "./schema-merge.js";
import {
  FULL_RESET_SCOPE,
  getJob,
  getSchema,
  getSecrets,
  jobPath,
  listJobs,
  restartJob,
  validateCredentials,
} from "./sync-job.js";
import type { ProvisioningLogEntry, SecretPair, SyncJob } from "./sync-types.js";

/** Picks the job: the given id, or the only job of the service principal. */
export async function resolveJob(graph: Graph, spId: string, jobId?: string): Promise<SyncJob> {
  if (jobId) {
    const job = await getJob(graph, spId, jobId);
    if (!job) throw new Error(`service principal ${spId} has no job ${jobId}`);
    return job;
  }
  const jobs = await listJobs(graph, spId);
  if (jobs.length !== 1)
    throw new Error(
      `service principal ${spId} has ${jobs.length} jobs; pick one with --job (${jobs.map((j) => j.id).join(", ")})`,
    );
  return jobs[0]!;
}

/** Status of a job plus the saved secret keys (values masked as Graph returns them). */
export async function readStatus(
  graph: Graph,
  spId: string,
  jobId?: string,
): Promise<JobSummary & { secrets: SecretPair[] }> {
  const job = await resolveJob(graph, spId, jobId);
  const secrets = (await getSecrets(graph, spId)).map((s) =>
    s.key === "SecretToken" ? { ...s, value: "*" } : s,
  );
  return { ...summarizeJob(job), secrets };
}

/** Runs Test Connection with explicit credentials, or with the saved ones when none are given. */
export async function testConnection(
  graph: Graph,
  spId: string,
  jobId: string,
  creds?: { baseAddress: string; secretToken: string },
): Promise<void> {
  if (creds) {
    await validateCredentials(graph, spId, jobId, [
      { key: "BaseAddress", value: creds.baseAddress },
      { key: "SecretToken", value: creds.secretToken },
    ]);
    return;
  }
  await graph.post(`${jobPath(spId, jobId)}/validateCredentials`, {
    useSavedCredentials: true,
    credentials: [],
  });
}

/** The parsed outcome of provision on demand (key and value are JSON-encoded strings on the wire). */
export interface OnDemandResult {
  result: string;
  details: Record<string, unknown>;
  steps: { name: string; type: string; status: string; description: string }[];
}

/** Provisions one user (or group) now, with the rule id read from the job schema. */
export async function provisionOnDemand(
  graph: Graph,
  spId: string,
  jobId: string,
  subject: { objectId: string; objectTypeName: "User" | "Group" },
): Promise<OnDemandResult> {
  const schema = await getSchema(graph, spId, jobId);
  const [ri] = findObjectMapping(schema, subject.objectTypeName);
  const ruleId = schema.synchronizationRules[ri]!.id;
  const res = await graph.post<{ key: string; value: string }>(`${jobPath(spId, jobId)}/provisionOnDemand`, {
    parameters: [{ ruleId, subjects: [subject] }],
  });
  const key = JSON.parse(res.key) as { result?: string; details?: Record<string, unknown> };
  const value = JSON.parse(res.value) as { provisioningSteps?: OnDemandResult["steps"] };
  return {
    result: key.result ?? "Unknown",
    details: key.details ?? {},
    steps: value.provisioningSteps ?? [],
  };
}

/** Restarts the job; `reset` clears watermark, escrows and quarantine. */
export async function restart(graph: Graph, spId: string, jobId: string, reset: boolean): Promise<void> {
  await restartJob(graph, spId, jobId, reset ? FULL_RESET_SCOPE : undefined);
}

/** Reads the newest provisioning log entries of a job. */
export async function readLogs(graph: Graph, jobId: string, top = 20): Promise<ProvisioningLogEntry[]> {
  const filter = encodeURIComponent(`jobId eq '${jobId.replace(/'/g, "''")}'`);
  return (
    await graph.get<{ value: ProvisioningLogEntry[] }>(
      `/auditLogs/provisioning?$filter=${filter}&$top=${top}`,
    )
  ).value;
}

/** Warnings to print above logs: quarantine and its reason, failing runs. */
export function quarantineWarnings(job: SyncJob): string[] {
  const s = summarizeJob(job);
  const out: string[] = [];
  if (s.quarantine)
    out.push(
      `WARNING: the job is in quarantine (${s.quarantine}); fix the cause, then \`scimgate entra restart --reset\``,
    );
  if ((job.status?.countSuccessiveCompleteFailures ?? 0) > 0)
    out.push(`WARNING: ${job.status?.countSuccessiveCompleteFailures} successive runs failed completely`);
  return out;
}
