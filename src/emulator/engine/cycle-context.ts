/**
 * The state of one running cycle and the helpers every export step shares: sending a SCIM call while
 * recording it, failing an object into escrow, and writing its provisioning record.
 */
import type { EmulatorState, ServicePrincipal, SyncJob } from "../state.js";
import type { ExportFailure } from "./export-errors.js";
import { type ActionFacts, buildRecord, type LogContext } from "./log-builder.js";
import type { ProvisioningRecord } from "./provisioning-log.js";
import type { ObjectMappingModel } from "./schema-model.js";
import { type ScimResult, type ScimTarget, sendScim } from "./scim-client.js";
import type { AssignmentScope } from "./source-objects.js";

/** Everything one cycle (or one on-demand run) works with. */
export interface CycleRun {
  state: EmulatorState;
  sp: ServicePrincipal;
  job: SyncJob;
  target: ScimTarget;
  /** True when the Tenant URL carries `aadOptscim062020` (and this is not on-demand, entra-scim-client.md §2). */
  compliant: boolean;
  users?: ObjectMappingModel;
  groups?: ObjectMappingModel;
  scope: AssignmentScope;
  log: LogContext;
  records: ProvisioningRecord[];
  skipOutOfScopeDeletions: boolean;
  memberBatchSize: number;
  counters: { exports: number; exported: number; failed: number };
  /** Set by a failure that quarantines the job; the cycle stops processing further objects. */
  quarantine?: { code: string; message: string };
}

/** Starts the facts of an action. */
export function beginFacts(
  run: CycleRun,
  sourceId: string,
  objectType: "User" | "Group",
  displayName: string,
  targetId = "",
): ActionFacts {
  return {
    sourceId,
    objectType,
    displayName,
    targetId,
    action: "other",
    status: "success",
    steps: [],
    modified: [],
    exchanges: [],
    startedAt: run.state.now(),
  };
}

/** Sends a SCIM request and records the exchange on the action; writes count as exports. */
export async function call(
  run: CycleRun,
  facts: ActionFacts,
  method: string,
  path: string,
  body?: unknown,
): Promise<ScimResult> {
  const result = await sendScim(run.target, method, path, body);
  facts.exchanges.push(result.exchange);
  if (method !== "GET") run.counters.exports++;
  return result;
}

/** True for the 2xx answers Entra accepts. */
export function isSuccess(result: ScimResult): boolean {
  return result.status !== null && result.status >= 200 && result.status < 300;
}

/** Records a successful export for the object and clears its escrow. */
export function succeed(run: CycleRun, facts: ActionFacts): void {
  if (facts.exchanges.some((e) => e.method !== "GET")) run.counters.exported++;
  run.job.engine.escrows.delete(facts.sourceId);
  run.records.push(buildRecord(run.log, facts));
}

/** Records a failed action, escrows the object for retry, and notes a quarantine trigger. */
export function fail(
  run: CycleRun,
  facts: ActionFacts,
  failure: ExportFailure,
  stepName: string,
  description: string,
): void {
  facts.status = "failure";
  facts.failure = failure;
  facts.steps.push({
    name: stepName,
    provisioningStepType: "export",
    status: "failure",
    description,
    details: { ErrorCode: failure.errorCode },
  });
  const prior = run.job.engine.escrows.get(facts.sourceId);
  run.job.engine.escrows.set(facts.sourceId, {
    sourceId: facts.sourceId,
    objectType: facts.objectType,
    errorCode: failure.errorCode,
    reason: failure.reason,
    attempts: (prior?.attempts ?? 0) + 1,
    firstFailure: prior?.firstFailure ?? new Date(run.state.now()).toISOString(),
    transient: failure.transient,
  });
  run.counters.failed++;
  if (failure.quarantineCode && !run.quarantine)
    run.quarantine = { code: failure.quarantineCode, message: failure.reason };
  run.records.push(buildRecord(run.log, facts));
}
