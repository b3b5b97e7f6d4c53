/**
 * Builds `provisioningObjectSummary` records, one per action (graph-synchronization.md §1.11 sample).
 */
import { randomUUID } from "node:crypto";
import type { ExportFailure } from "./export-errors.js";
import type {
  ProvisioningLogEntry,
  ProvisioningRecord,
  ProvisioningStep,
  ScimExchange,
} from "./provisioning-log.js";

/** Identifies the job, cycle and initiator of a batch of records. */
export interface LogContext {
  tenantId: string;
  jobId: string;
  cycleId: string;
  servicePrincipal: { id: string; displayName: string; appId: string };
  initiator: "system" | "user";
  now: () => number;
}

/** The per-object facts a record is built from. */
export interface ActionFacts {
  sourceId: string;
  objectType: "User" | "Group";
  displayName: string;
  targetId: string;
  action: ProvisioningLogEntry["provisioningAction"];
  status: "success" | "failure" | "skipped";
  steps: ProvisioningStep[];
  modified: ProvisioningLogEntry["modifiedProperties"];
  exchanges: ScimExchange[];
  failure?: ExportFailure;
  startedAt: number;
}

/** A provisioning step with empty details unless given. */
export function step(
  name: string,
  type: ProvisioningStep["provisioningStepType"],
  status: ProvisioningStep["status"],
  description: string,
  details: Record<string, string> = {},
): ProvisioningStep {
  return { name, provisioningStepType: type, status, description, details };
}

/** Builds the record (Graph entry + raw exchanges) for one action. */
export function buildRecord(ctx: LogContext, facts: ActionFacts): ProvisioningRecord {
  const now = ctx.now();
  const entry: ProvisioningLogEntry = {
    id: randomUUID(),
    activityDateTime: new Date(now).toISOString(),
    tenantId: ctx.tenantId,
    jobId: ctx.jobId,
    cycleId: ctx.cycleId,
    changeId: randomUUID(),
    provisioningAction: facts.action,
    durationInMilliseconds: Math.max(0, now - facts.startedAt),
    sourceSystem: { id: null, displayName: "Azure Active Directory", details: {} },
    targetSystem: {
      id: null,
      displayName: ctx.servicePrincipal.displayName,
      details: {
        ApplicationId: ctx.servicePrincipal.appId,
        ServicePrincipalId: ctx.servicePrincipal.id,
        ServicePrincipalDisplayName: ctx.servicePrincipal.displayName,
      },
    },
    initiatedBy:
      ctx.initiator === "system"
        ? { id: "", displayName: "Azure AD Provisioning Service", initiatorType: "system" }
        : { id: "", displayName: "Provision on demand", initiatorType: "user" },
    servicePrincipal: { id: ctx.servicePrincipal.id, displayName: ctx.servicePrincipal.displayName },
    sourceIdentity: {
      id: facts.sourceId,
      displayName: facts.displayName,
      identityType: facts.objectType,
      details: {},
    },
    targetIdentity: {
      id: facts.targetId,
      displayName: facts.targetId ? facts.displayName : "",
      identityType: facts.objectType,
      details: {},
    },
    provisioningStatusInfo: {
      status: facts.status,
      errorInformation: facts.failure
        ? {
            errorCode: facts.failure.errorCode,
            reason: facts.failure.reason,
            additionalDetails: null,
            errorCategory: "nonServiceFailure",
            recommendedAction: null,
          }
        : null,
    },
    provisioningSteps: facts.steps,
    modifiedProperties: facts.modified,
  };
  return { entry, exchanges: facts.exchanges };
}
