/**
 * The emulator's in-memory tenant: directory, applications, service principals, app role assignments,
 * synchronization jobs/secrets, and provisioning logs. Route handlers and the engine share one instance.
 */
import { buildDefaultSchema } from "./default-schema.js";
import { Directory } from "./directory.js";
import type { EngineState } from "./engine/engine-state.js";
import { createEngineState } from "./engine/engine-state.js";
import type { ProvisioningRecord } from "./engine/provisioning-log.js";
import { GraphError, resourceNotFound } from "./graph-errors.js";
import { newJobId, newObjectId } from "./ids.js";

/** The non-gallery ("Custom") application template id (graph-synchronization.md §1.1). */
export const NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";
/** `TimeSpan.MaxValue`: the interval of a job that never runs (§1.4). */
export const NEVER_INTERVAL = "P10675199DT2H48M5.4775807S";
/** The interval of a running job (§1.4). */
export const ACTIVE_INTERVAL = "PT40M";
/** .NET's `DateTime.MinValue`, the steady-state times of a job that never reached steady state (§1.4). */
export const MIN_DATE = "0001-01-01T00:00:00Z";

/** An app role as the template app declares it (§1.1: `User` and `msiam_access`). */
export interface AppRole {
  allowedMemberTypes: string[];
  description: string;
  displayName: string;
  id: string;
  isEnabled: boolean;
  origin: string;
  value: string | null;
}

/** An application object (the parts the emulator models; extra PATCHed properties are kept in `extra`). */
export interface Application {
  id: string;
  appId: string;
  displayName: string;
  applicationTemplateId: string | null;
  appRoles: AppRole[];
  createdAt: number;
  extra: Record<string, unknown>;
}

/** A service principal with its synchronization resource. */
export interface ServicePrincipal {
  id: string;
  appId: string;
  applicationObjectId: string;
  displayName: string;
  applicationTemplateId: string | null;
  appRoles: AppRole[];
  createdAt: number;
  extra: Record<string, unknown>;
  secrets: { key: string; value: string }[];
  /** When secrets were last PUT, and the set before that (for the sync-lag knob). */
  secretsPutAt?: number;
  previousSecrets?: { key: string; value: string }[];
  jobs: Map<string, SyncJob>;
}

/** An appRoleAssignment granting a user or group access to a service principal (§1.12). */
export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  principalDisplayName: string;
  principalId: string;
  principalType: "User" | "Group";
  resourceDisplayName: string;
  resourceId: string;
}

/** A synchronization job: Graph's visible shape plus the engine's private state. */
export interface SyncJob {
  id: string;
  templateId: string;
  servicePrincipalId: string;
  schema: Record<string, unknown>;
  schedule: { expiration: string | null; interval: string; state: "Active" | "Disabled" | "Paused" };
  status: Record<string, unknown> & { code: string };
  createdAt: number;
  engine: EngineState;
}

/** Builds the status block of a newly created job (§1.4 sample). */
export function buildInitialStatus(): SyncJob["status"] {
  return {
    code: "NotConfigured",
    countSuccessiveCompleteFailures: 0,
    escrowsPruned: false,
    lastExecution: null,
    lastSuccessfulExecution: null,
    lastSuccessfulExecutionWithExports: null,
    progress: [],
    quarantine: null,
    steadyStateFirstAchievedTime: MIN_DATE,
    steadyStateLastAchievedTime: MIN_DATE,
    synchronizedEntryCountByType: [],
    troubleshootingUrl: null,
  };
}

/** The whole emulated tenant. */
export class EmulatorState {
  readonly tenantId: string;
  readonly directory: Directory;
  readonly applications = new Map<string, Application>();
  readonly servicePrincipals = new Map<string, ServicePrincipal>();
  readonly assignments = new Map<string, AppRoleAssignment>();
  readonly provisioningLogs: ProvisioningRecord[] = [];

  constructor(
    readonly now: () => number,
    tenantId: string = newObjectId(),
  ) {
    this.tenantId = tenantId;
    this.directory = new Directory(now);
  }

  /** Returns a service principal or throws Graph's 404. */
  servicePrincipal(id: string): ServicePrincipal {
    const sp = this.servicePrincipals.get(id);
    if (!sp) throw resourceNotFound(id);
    return sp;
  }

  /** Returns a job of a service principal or throws a 404 in Graph's envelope (§2.2, inferred). */
  job(spId: string, jobId: string): SyncJob {
    const job = this.servicePrincipal(spId).jobs.get(jobId);
    if (!job)
      throw new GraphError(
        404,
        "Request_ResourceNotFound",
        `The synchronization job '${jobId}' was not found.`,
      );
    return job;
  }

  /** Creates a disabled job with the template's default schema (§1.4). */
  createJob(spId: string, templateId: string): SyncJob {
    const sp = this.servicePrincipal(spId);
    const id = newJobId(templateId, this.tenantId);
    const job: SyncJob = {
      id,
      templateId,
      servicePrincipalId: sp.id,
      schema: buildDefaultSchema(id),
      schedule: { expiration: null, interval: NEVER_INTERVAL, state: "Disabled" },
      status: buildInitialStatus(),
      createdAt: this.now(),
      engine: createEngineState(),
    };
    sp.jobs.set(id, job);
    return job;
  }

  /** The saved secret value for a key, if any (empty strings count as absent, §1.6). */
  secret(sp: ServicePrincipal, key: string): string | undefined {
    const value = sp.secrets.find((s) => s.key === key)?.value;
    return value === undefined || value === "" ? undefined : value;
  }

  /** Assignments whose resource is the service principal. */
  assignmentsOf(spId: string): AppRoleAssignment[] {
    return [...this.assignments.values()].filter((a) => a.resourceId === spId);
  }
}
