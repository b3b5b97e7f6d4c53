/**
 * Provisioning log entries (`provisioningObjectSummary`, graph-synchronization.md §1.11), following the
 * CSDL's lower-case enums and v1.0 property names.
 */

/** A provisioning step of a log entry. */
export interface ProvisioningStep {
  name: string;
  provisioningStepType: "import" | "scoping" | "matching" | "processing" | "referenceResolution" | "export";
  status: "success" | "failure" | "skipped" | "warning";
  description: string;
  details: Record<string, string>;
}

/** One HTTP exchange with the SCIM target, kept for reports (not part of Graph's shape). */
export interface ScimExchange {
  method: string;
  url: string;
  requestBody?: unknown;
  status: number | null;
  responseBody?: unknown;
  error?: string;
}

/** A provisioningObjectSummary as served by /auditLogs/provisioning. */
export interface ProvisioningLogEntry {
  id: string;
  activityDateTime: string;
  tenantId: string;
  jobId: string;
  cycleId: string;
  changeId: string;
  provisioningAction: "other" | "create" | "delete" | "disable" | "update" | "stagedDelete";
  durationInMilliseconds: number;
  sourceSystem: { id: string | null; displayName: string; details: Record<string, string> };
  targetSystem: { id: string | null; displayName: string; details: Record<string, string> };
  initiatedBy: { id: string; displayName: string; initiatorType: "user" | "application" | "system" };
  servicePrincipal: { id: string; displayName: string };
  sourceIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  targetIdentity: { id: string; displayName: string; identityType: string; details: Record<string, string> };
  provisioningStatusInfo: {
    status: "success" | "failure" | "skipped" | "warning";
    errorInformation: null | {
      errorCode: string;
      reason: string;
      additionalDetails: string | null;
      errorCategory: "failure" | "nonServiceFailure";
      recommendedAction: string | null;
    };
  };
  provisioningSteps: ProvisioningStep[];
  modifiedProperties: { displayName: string; oldValue: string | null; newValue: string | null }[];
}

/** A log entry together with the raw SCIM exchanges behind it (used by `scimgate simulate`). */
export interface ProvisioningRecord {
  entry: ProvisioningLogEntry;
  exchanges: ScimExchange[];
}

/** Strips the report-only parts: the Graph shape of a record. */
export function toGraphEntry(record: ProvisioningRecord): ProvisioningLogEntry {
  return record.entry;
}
