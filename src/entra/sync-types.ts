/** Wire types of the Graph synchronization API (v1.0), as far as scimgate reads or writes them. */

/** A key/value pair of `synchronization/secrets`; values are always strings on the wire. */
export interface SecretPair {
  key: string;
  value: string | null;
}

/** `synchronizationQuarantine` of a job status. */
export interface SyncQuarantine {
  currentBegan?: string | null;
  nextAttempt?: string | null;
  reason?: string | null;
  seriesBegan?: string | null;
  seriesCount?: number;
  error?: { code?: string | null; message?: string | null; tenantActionable?: boolean } | null;
}

/** `synchronizationTaskExecution` (last run summaries). */
export interface SyncExecution {
  state?: string | null;
  timeBegan?: string | null;
  timeEnded?: string | null;
  countExported?: number;
  countImported?: number;
  error?: { code?: string | null; message?: string | null } | null;
}

/** `synchronizationJob` as GET returns it. */
export interface SyncJob {
  id: string;
  templateId: string;
  schedule?: {
    expiration?: string | null;
    interval?: string;
    state?: "Active" | "Disabled" | "Paused" | string;
  };
  status?: {
    code?: "NotConfigured" | "NotRun" | "Active" | "Paused" | "Quarantine" | string;
    quarantine?: SyncQuarantine | null;
    lastExecution?: SyncExecution | null;
    lastSuccessfulExecution?: SyncExecution | null;
    countSuccessiveCompleteFailures?: number;
  };
}

/** `attributeMappingSource`. */
export interface MappingSource {
  expression?: string | null;
  name?: string | null;
  parameters?: { key: string; value: MappingSource }[];
  type: "Attribute" | "Constant" | "Function" | string;
  [extra: string]: unknown;
}

/** `attributeMapping`. */
export interface AttributeMapping {
  targetAttributeName: string;
  source: MappingSource | null;
  defaultValue?: string | null;
  exportMissingReferences?: boolean;
  flowBehavior?: "FlowWhenChanged" | "FlowAlways" | string;
  flowType?: "Always" | "ObjectAddOnly" | "MultiValueAddOnly" | "ValueAddOnly" | "AttributeAddOnly" | string;
  matchingPriority?: number;
  [extra: string]: unknown;
}

/** `filterClause`. */
export interface FilterClause {
  operatorName: string;
  sourceOperandName: string;
  targetOperand: { values: string[] } | null;
}

/** `filterGroup`. */
export interface FilterGroup {
  name: string | null;
  clauses: FilterClause[];
}

/** `filter` (an object mapping's scope). */
export interface ScopeFilter {
  categoryFilterGroups: FilterGroup[];
  groups: FilterGroup[];
  inputFilterGroups: FilterGroup[];
  [extra: string]: unknown;
}

/** `objectMapping`. */
export interface ObjectMapping {
  name?: string | null;
  enabled: boolean;
  flowTypes?: string;
  sourceObjectName: string;
  targetObjectName?: string | null;
  scope?: ScopeFilter | null;
  attributeMappings: AttributeMapping[];
  [extra: string]: unknown;
}

/** `synchronizationRule`. */
export interface SyncRule {
  id?: string | null;
  name?: string | null;
  sourceDirectoryName?: string | null;
  targetDirectoryName?: string | null;
  objectMappings: ObjectMapping[];
  [extra: string]: unknown;
}

/** `synchronizationSchema`; directories and metadata are round-tripped untouched. */
export interface SyncSchema {
  id?: string;
  version?: string | null;
  synchronizationRules: SyncRule[];
  directories?: unknown[];
  [extra: string]: unknown;
}

/** A `provisioningObjectSummary` from `auditLogs/provisioning`, as far as the CLI prints it. */
export interface ProvisioningLogEntry {
  id: string;
  activityDateTime: string;
  jobId?: string | null;
  provisioningAction?: string;
  sourceIdentity?: { id?: string | null; displayName?: string | null; identityType?: string | null } | null;
  targetIdentity?: { id?: string | null; displayName?: string | null } | null;
  servicePrincipal?: { id?: string | null; displayName?: string | null } | null;
  provisioningStatusInfo?: {
    status?: string;
    errorInformation?: { errorCode?: string | null; reason?: string | null } | null;
  } | null;
}
