/**
 * The job state machine (graph-synchronization.md §1.7, §1.8 inferred table): start, pause and restart
 * transitions shared by the Graph routes and `scimgate simulate`.
 */
import { ACTIVE_INTERVAL, type SyncJob } from "./state.js";

/** Moves a job to Active: schedule PT40M; status NotRun until a cycle completes, then Active. */
export function activateJob(job: SyncJob): void {
  job.schedule = { ...job.schedule, state: "Active", interval: ACTIVE_INTERVAL };
  if (job.status.code === "Quarantine" && job.status.quarantine === null) job.status.code = "NotRun";
  if (job.status.code !== "Quarantine") job.status.code = job.engine.cycles > 0 ? "Active" : "NotRun";
}

/** start: resumes a paused job and clears a quarantine (§1.7). */
export function startJob(job: SyncJob): void {
  job.status.quarantine = null;
  if (job.status.code === "Quarantine") job.status.code = "NotRun";
  activateJob(job);
}

/** pause: progress is kept; schedule and status both read Paused. */
export function pauseJob(job: SyncJob): void {
  job.schedule = { ...job.schedule, state: "Paused" };
  job.status.code = "Paused";
}

/** Applies `resetScope` flags of a restart (§1.7; CSDL synchronizationJobRestartScope). */
export function applyRestart(job: SyncJob, resetScope: string | undefined): void {
  // The portal's "Restart provisioning" (no criteria) clears watermark, escrows and quarantine (entra-scim-client.md §3).
  const flags = new Set(
    (resetScope ?? "Watermark, Escrows, QuarantineState").split(",").map((f) => f.trim()),
  );
  const full = flags.has("Full");
  if (full || flags.has("Watermark")) job.engine.watermark = null;
  if (full || flags.has("Escrows")) job.engine.escrows.clear();
  if (full || flags.has("QuarantineState")) job.status.quarantine = null;
  // ConnectorDataStore (part of Full) breaks the source↔target links (entra-scim-client.md §3 "Restart").
  if (full || flags.has("ConnectorDataStore")) job.engine.anchors.clear();
  activateJob(job);
}
