/**
 * One provisioning cycle (entra-scim-client.md §3): users first, then groups, then references (managers,
 * memberships). The initial cycle (no watermark) evaluates everything; an incremental cycle only objects
 * changed since the watermark, escrowed objects and hard deletes.
 */
import { randomUUID } from "node:crypto";
import type { DirectoryGroup, DirectoryUser } from "../directory.js";
import type { EmulatorState, ServicePrincipal, SyncJob } from "../state.js";
import type { CycleRun } from "./cycle-context.js";
import type { SourceEntity } from "./object-common.js";
import { deleteLinked, disableLinked, skipUnprovisioned } from "./object-deprovision.js";
import { matchOrCreate, updateLinked } from "./object-sync.js";
import type { ProvisioningRecord } from "./provisioning-log.js";
import { syncManager, syncMembers } from "./reference-sync.js";
import { findObjectMapping, type ObjectMappingModel } from "./schema-model.js";
import type { ScimTarget } from "./scim-client.js";
import { parseTenantUrl } from "./scim-client.js";
import { AssignmentScope, groupLookup, passesScopingFilter, userLookup } from "./source-objects.js";

/** Options of a run that the engine passes down. */
export interface RunSettings {
  target: ScimTarget;
  memberBatchSize: number;
  initiator: "system" | "user";
  /** Provision on demand ignores `aadOptscim062020` (entra-scim-client.md §2). */
  forceLegacyDialect: boolean;
}

/** Builds the run context of a cycle or on-demand run. */
export function createRun(
  state: EmulatorState,
  sp: ServicePrincipal,
  job: SyncJob,
  settings: RunSettings,
): CycleRun {
  const compliant = !settings.forceLegacyDialect && parseTenantUrl(settings.target.baseAddress).compliant;
  return {
    state,
    sp,
    job,
    target: settings.target,
    compliant,
    users: findObjectMapping(job.schema, "User"),
    groups: findObjectMapping(job.schema, "Group"),
    scope: new AssignmentScope(state, sp),
    log: {
      tenantId: state.tenantId,
      jobId: job.id,
      cycleId: randomUUID(),
      servicePrincipal: { id: sp.id, displayName: sp.displayName, appId: sp.appId },
      initiator: settings.initiator,
      now: state.now,
    },
    records: [],
    skipOutOfScopeDeletions: state.secret(sp, "SkipOutOfScopeDeletions")?.toLowerCase() === "true",
    memberBatchSize: settings.memberBatchSize,
    counters: { exports: 0, exported: 0, failed: 0 },
  };
}

function userEntity(
  _run: CycleRun,
  user: DirectoryUser,
  mapping: ObjectMappingModel,
  softDeleted: boolean,
): SourceEntity {
  return {
    id: user.id,
    type: "User",
    displayName: user.userPrincipalName,
    lookup: userLookup(user, softDeleted),
    mapping,
  };
}

/** Whether a user is entitled: assigned and passing the scoping filter. */
export function userInScope(run: CycleRun, user: DirectoryUser): boolean {
  return (
    !!run.users && run.scope.userAssigned(user) && passesScopingFilter(run.users, userLookup(user, false))
  );
}

/** Exports one user (create/update/disable/delete as its state requires). */
export async function syncUser(run: CycleRun, userId: string): Promise<void> {
  const mapping = run.users;
  if (!mapping) return;
  const user = run.state.directory.users.get(userId);
  const anchor = run.job.engine.anchors.get(userId);
  if (!user) {
    if (anchor?.managed && run.state.directory.tombstones.has(userId))
      await deleteLinked(run, { id: userId, type: "User", displayName: anchor.displayName, mapping }, anchor);
    else run.job.engine.anchors.delete(userId);
    return;
  }
  const inScope = userInScope(run, user);
  const inactive = user.deletedAt !== undefined || !user.accountEnabled;
  if (inScope && !inactive) {
    const entity = userEntity(run, user, mapping, false);
    return anchor ? updateLinked(run, entity, anchor) : matchOrCreate(run, entity);
  }
  if (anchor?.managed) {
    // Out of scope with "skip out of scope deletions" leaves the target untouched (graph-synchronization.md §1.6).
    if (!inScope && run.skipOutOfScopeDeletions) return;
    return disableLinked(run, userEntity(run, user, mapping, true), anchor, !inScope);
  }
  // Disabled or soft-deleted users are never provisioned (entra-scim-client.md §3).
  if (inScope && !anchor)
    skipUnprovisioned(
      run,
      userEntity(run, user, mapping, true),
      `User '${user.userPrincipalName}' is not active in Azure Active Directory, so it is not provisioned.`,
    );
}

/** Exports one group: create/update in scope; DELETE when it left scope or was deleted (inferred for groups). */
export async function syncGroup(run: CycleRun, groupId: string): Promise<void> {
  const mapping = run.groups;
  if (!mapping) return;
  const group = run.state.directory.groups.get(groupId);
  const anchor = run.job.engine.anchors.get(groupId);
  const inScope = group
    ? run.scope.groupAssigned(group) && passesScopingFilter(mapping, groupLookup(group))
    : false;
  if (!group || !inScope) {
    if (anchor?.managed)
      await deleteLinked(
        run,
        { id: groupId, type: "Group", displayName: group?.displayName ?? anchor.displayName, mapping },
        anchor,
      );
    else if (!group) run.job.engine.anchors.delete(groupId);
    return;
  }
  const entity: SourceEntity = {
    id: group.id,
    type: "Group",
    displayName: group.displayName,
    lookup: groupLookup(group),
    mapping,
  };
  return anchor ? updateLinked(run, entity, anchor) : matchOrCreate(run, entity);
}

/** The objects a cycle evaluates: everything on an initial cycle, else changes, escrows and tombstones. */
function candidates(run: CycleRun): { users: string[]; groups: string[] } {
  const { directory } = run.state;
  const engine = run.job.engine;
  const mark = engine.watermark;
  const changed = (o: { id: string; version: number }) =>
    mark === null || o.version > mark || engine.escrows.has(o.id);
  const users = [...directory.users.values()].filter(changed).map((u) => u.id);
  const groups = [...directory.groups.values()].filter(changed).map((g) => g.id);
  for (const t of directory.tombstones.values()) {
    if (engine.anchors.has(t.id) && (mark === null || t.version > mark || engine.escrows.has(t.id)))
      (t.type === "User" ? users : groups).push(t.id);
  }
  return { users, groups };
}

/** Candidate users plus their direct reports: a manager provisioned now resolves their reports' reference (§3 step 5). */
function withReports(run: CycleRun, users: string[]): string[] {
  const set = new Set(users);
  for (const u of run.state.directory.users.values()) if (u.managerId && set.has(u.managerId)) set.add(u.id);
  return [...set];
}

/** Runs the phases of a cycle; stops early once a failure quarantines the job. */
export async function executeCycle(run: CycleRun): Promise<{ imported: number; initial: boolean }> {
  const initial = run.job.engine.watermark === null;
  const { users, groups } = candidates(run);
  for (const id of users) if (!run.quarantine) await syncUser(run, id);
  for (const id of groups) if (!run.quarantine) await syncGroup(run, id);
  for (const id of withReports(run, users)) {
    const user = run.state.directory.users.get(id);
    const anchor = run.job.engine.anchors.get(id);
    if (user && anchor && !run.quarantine) await syncManager(run, user, anchor);
  }
  for (const id of groups) {
    const group: DirectoryGroup | undefined = run.state.directory.groups.get(id);
    const anchor = run.job.engine.anchors.get(id);
    if (group && anchor && !run.quarantine) await syncMembers(run, group, anchor);
  }
  return { imported: users.length + groups.length, initial };
}

/** Records of a finished run, for callers that want them. */
export type RunRecords = ProvisioningRecord[];
