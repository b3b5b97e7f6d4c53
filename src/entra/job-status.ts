/** Pure readings of a synchronization job: run state, quarantine, drift against the wanted state. */
import type { SecretPair, SyncJob } from "./sync-types.js";

/** What scimgate reports about a job. */
export interface JobSummary {
  jobId: string;
  scheduleState: string;
  statusCode: string;
  /** `code: message` of the quarantine, or null when not quarantined. */
  quarantine: string | null;
  lastExecution: string | null;
}

/** Summarises a job for outputs, the CLI and drift checks. */
export function summarizeJob(job: SyncJob): JobSummary {
  const q = job.status?.quarantine;
  const code = job.status?.code ?? "Unknown";
  const last = job.status?.lastExecution;
  return {
    jobId: job.id,
    scheduleState: job.schedule?.state ?? "Unknown",
    statusCode: code,
    quarantine:
      code === "Quarantine" || q
        ? `${q?.error?.code ?? q?.reason ?? "Quarantine"}: ${q?.error?.message ?? "the job is quarantined"}`
        : null,
    lastExecution: last ? `${last.state ?? "?"} at ${last.timeEnded ?? last.timeBegan ?? "?"}` : null,
  };
}

/** True when the job runs as wanted: schedule Active and not quarantined. */
export function isRunning(job: SyncJob): boolean {
  return job.schedule?.state === "Active" && job.status?.code !== "Quarantine";
}

/** Differences between the wanted run state and the job (paused or quarantined in the portal); empty = none. */
export function diffRunState(enabled: boolean, job: SyncJob | undefined): string[] {
  if (!job) return ["the synchronization job no longer exists"];
  const s = summarizeJob(job);
  if (enabled && s.quarantine) return [`the job is quarantined (${s.quarantine}); start clears it`];
  if (enabled && s.scheduleState !== "Active")
    return [`the job is ${s.scheduleState} but the stack wants it running`];
  if (!enabled && s.scheduleState === "Active") return ["the job is running but the stack wants it paused"];
  return [];
}

/** Notification settings of the job (quarantine and delete-threshold emails). */
export interface NotificationSpec {
  /** Email Entra notifies on quarantine; omitted = notifications off. */
  email?: string;
  /** Accidental-deletion threshold; omitted = off. */
  deleteThreshold?: number;
}

/** Inputs of the secrets PUT: the SCIM endpoint, its token and the scope. */
export interface CredentialSpec {
  baseAddress: string;
  secretToken: string;
  /** false = sync only assigned users and groups (the portal default). */
  syncAll: boolean;
  notifications: NotificationSpec;
}

/** Builds the secrets PUT body; values are strings and SyncNotificationSettings is a JSON string. */
export function buildSecretPairs(c: CredentialSpec): SecretPair[] {
  const n = c.notifications;
  const settings: Record<string, unknown> = {
    Enabled: n.email !== undefined,
    DeleteThresholdEnabled: n.deleteThreshold !== undefined,
  };
  if (n.email !== undefined) settings.Recipients = n.email;
  if (n.deleteThreshold !== undefined) settings.DeleteThresholdValue = n.deleteThreshold;
  return [
    { key: "BaseAddress", value: c.baseAddress },
    { key: "SecretToken", value: c.secretToken },
    { key: "SyncNotificationSettings", value: JSON.stringify(settings) },
    { key: "SyncAll", value: String(c.syncAll) },
  ];
}

/** The credentials Test Connection needs: BaseAddress and SecretToken only. */
export function buildTestCredentials(c: CredentialSpec): SecretPair[] {
  return buildSecretPairs(c).filter((p) => p.key === "BaseAddress" || p.key === "SecretToken");
}

/** Drift visible in saved secrets: BaseAddress is readable, SecretToken comes back masked ("*"). */
export function diffSecrets(c: CredentialSpec, saved: SecretPair[]): string[] {
  const get = (k: string) => saved.find((p) => p.key === k)?.value ?? undefined;
  const out: string[] = [];
  const base = get("BaseAddress");
  if (base === undefined || base === "") out.push("the job has no saved BaseAddress");
  else if (base !== "*" && base !== c.baseAddress)
    out.push(`BaseAddress is ${base}, the stack wants ${c.baseAddress}`);
  if (get("SecretToken") === undefined || get("SecretToken") === "")
    out.push("the job has no saved SecretToken");
  const syncAll = get("SyncAll");
  if (syncAll !== undefined && syncAll !== "*" && syncAll.toLowerCase() !== String(c.syncAll))
    out.push(`SyncAll is ${syncAll}, the stack wants ${c.syncAll}`);
  return out;
}
