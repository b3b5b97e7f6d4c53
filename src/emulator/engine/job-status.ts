/**
 * Job status after a cycle (graph-synchronization.md §1.8): execution counters, steady state, escrow and
 * quarantine (entra-scim-client.md §3 "Quarantine" thresholds).
 */
import { MIN_DATE } from "../state.js";
import type { CycleRun } from "./cycle-context.js";

/** Escrow thresholds that quarantine a job; defaults are the documented ones (§3). */
export interface QuarantineThresholds {
  /** Failures below this count never trigger the proportion rule. Default 5,000. */
  minFailures: number;
  /** Failing proportion above which a job is quarantined once `minFailures` is reached. Default 0.4. */
  proportion: number;
  /** Failures above this count quarantine regardless of proportion. Default 40,000. */
  total: number;
  /** Absolute cap. Default 60,000. */
  absolute: number;
}

/** Escrow entries are dropped, and a quarantined job disabled, after 28 days (entra-scim-client.md §3). */
export const ESCROW_LIFETIME_MS = 28 * 24 * 3600_000;

/** Drops escrow entries older than 28 days (status.escrowsPruned) before a cycle. */
export function pruneEscrows(job: CycleRun["job"], now: number): void {
  for (const [id, escrow] of job.engine.escrows) {
    if (now - Date.parse(escrow.firstFailure) >= ESCROW_LIFETIME_MS) {
      job.engine.escrows.delete(id);
      job.status.escrowsPruned = true;
    }
  }
}

/** A job quarantined for four weeks is disabled (§3 "Quarantine"). */
function disableLongQuarantine(run: CycleRun, now: string): void {
  const q = run.job.status.quarantine as { seriesBegan?: string } | null;
  if (q?.seriesBegan && Date.parse(now) - Date.parse(q.seriesBegan) >= ESCROW_LIFETIME_MS) {
    run.job.schedule = { ...run.job.schedule, state: "Disabled" };
  }
}

/** The documented thresholds (entra-scim-client.md §0.8, §3). */
export const DEFAULT_THRESHOLDS: QuarantineThresholds = {
  minFailures: 5000,
  proportion: 0.4,
  total: 40000,
  absolute: 60000,
};

function escrowReason(run: CycleRun, entitled: number, t: QuarantineThresholds): string | undefined {
  const failures = [...run.job.engine.escrows.values()].length;
  if (failures >= t.absolute) return "EncounteredBaseEscrowThreshold";
  if (failures > t.total) return "EncounteredTotalEscrowThreshold";
  if (failures >= t.minFailures && failures / Math.max(1, entitled) > t.proportion)
    return "EncounteredEscrowProportionThreshold";
  return undefined;
}

function quarantineError(run: CycleRun, _reason: string) {
  if (run.quarantine)
    return { code: run.quarantine.code, message: run.quarantine.message, tenantActionable: true };
  const count = run.job.engine.escrows.size;
  return {
    code: "EscrowThresholdExceeded",
    message: `${count} objects failed to provision and are in escrow.`,
    tenantActionable: true,
  };
}

function applyQuarantine(run: CycleRun, reason: string | undefined, now: string): void {
  const status = run.job.status;
  if (!reason) {
    status.quarantine = null;
    return;
  }
  const prior = status.quarantine as { seriesBegan?: string; seriesCount?: number } | null;
  status.quarantine = {
    currentBegan: now,
    nextAttempt: new Date(Date.parse(now) + 24 * 3600_000).toISOString(),
    reason,
    seriesBegan: prior?.seriesBegan ?? now,
    seriesCount: (prior?.seriesCount ?? 0) + 1,
    error: quarantineError(run, reason),
  };
}

function countByType(run: CycleRun) {
  const anchors = [...run.job.engine.anchors.values()].filter((a) => a.managed);
  const users = anchors.filter((a) => a.objectType === "User").length;
  const groups = anchors.length - users;
  return [
    { key: run.users?.targetObjectName ?? "User", value: users },
    { key: run.groups?.targetObjectName ?? "Group", value: groups },
  ];
}

/** The cycle's execution state (synchronizationTaskExecutionResult). */
function executionState(run: CycleRun): "Succeeded" | "EntryLevelErrors" | "Failed" {
  const { failed, exported } = run.counters;
  if (run.quarantine || (failed > 0 && exported === 0)) return "Failed";
  return failed > 0 ? "EntryLevelErrors" : "Succeeded";
}

interface CycleFacts {
  began: string;
  now: string;
  entitled: number;
  imported: number;
  reason: string | undefined;
}

function buildExecution(run: CycleRun, facts: CycleFacts, state: string) {
  const escrowed = run.job.engine.escrows.size;
  return {
    activityIdentifier: run.log.cycleId,
    countEntitled: facts.entitled,
    countEntitledForProvisioning: facts.entitled,
    countEscrowed: escrowed,
    countEscrowedRaw: escrowed,
    countExported: run.counters.exported,
    countExports: run.counters.exports,
    countImported: facts.imported,
    countImportedDeltas: facts.imported,
    countImportedReferenceDeltas: 0,
    error: facts.reason ? (run.job.status.quarantine as { error: unknown }).error : null,
    state,
    timeBegan: facts.began,
    timeEnded: facts.now,
  };
}

/** Steady state: no escrow and no quarantine at the end of a cycle. */
function updateSteadyState(run: CycleRun, now: string, reason: string | undefined): void {
  const status = run.job.status;
  if (run.job.engine.escrows.size > 0 || reason) return;
  if (status.steadyStateFirstAchievedTime === MIN_DATE) status.steadyStateFirstAchievedTime = now;
  status.steadyStateLastAchievedTime = now;
}

/** Updates `job.status` from a finished cycle; returns the execution's state. */
export function recordCycle(
  run: CycleRun,
  began: string,
  entitled: number,
  imported: number,
  t: QuarantineThresholds,
): string {
  const now = new Date(run.state.now()).toISOString();
  const status = run.job.status;
  const reason = run.quarantine ? "EncounteredQuarantineException" : escrowReason(run, entitled, t);
  applyQuarantine(run, reason, now);
  const state = executionState(run);
  const execution = buildExecution(run, { began, now, entitled, imported, reason }, state);
  status.lastExecution = execution;
  if (state === "Succeeded") status.lastSuccessfulExecution = execution;
  if (state === "Succeeded" && run.counters.exports > 0)
    status.lastSuccessfulExecutionWithExports = execution;
  status.countSuccessiveCompleteFailures =
    state === "Failed" ? Number(status.countSuccessiveCompleteFailures ?? 0) + 1 : 0;
  updateSteadyState(run, now, reason);
  status.synchronizedEntryCountByType = countByType(run);
  disableLongQuarantine(run, now);
  if (reason) status.code = "Quarantine";
  else if (run.job.schedule.state === "Active") status.code = "Active";
  else if (run.job.schedule.state === "Paused") status.code = "Paused";
  return state;
}
