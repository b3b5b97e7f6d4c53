/**
 * Reference attributes, written once both ends exist (entra-scim-client.md §3 step 5): a user's manager
 * and a group's members, the latter added in batches by PATCH after the group was created empty (§0.7).
 */
import { ENTERPRISE_USER } from "../default-schema.js";
import type { DirectoryGroup, DirectoryUser } from "../directory.js";
import { beginFacts, type CycleRun, call, fail, isSuccess, succeed } from "./cycle-context.js";
import type { Anchor } from "./engine-state.js";
import { classifyFailure } from "./export-errors.js";
import { type ActionFacts, step } from "./log-builder.js";
import {
  buildManagerOp,
  buildMemberAddOps,
  buildMemberRemoveOps,
  buildPatchBody,
  type WireOp,
} from "./patch-builder.js";

const MANAGER_PATH = `${ENTERPRISE_USER}:manager`;

function mapsManager(run: CycleRun): boolean {
  return (
    run.users?.attributeMappings.some((m) => m.targetAttributeName === MANAGER_PATH && m.source) ?? false
  );
}

/** Sets, changes or clears a linked user's manager when it differs from what the target holds. */
export async function syncManager(run: CycleRun, user: DirectoryUser, anchor: Anchor): Promise<void> {
  if (!mapsManager(run) || !anchor.managed) return;
  const managerAnchor = user.managerId ? run.job.engine.anchors.get(user.managerId) : undefined;
  // A manager that is not provisioned is not exported (exportMissingReferences is false by default).
  const desired = managerAnchor?.targetId ?? null;
  const current = anchor.exportedManager ?? null;
  if (desired === current || (desired === null && user.managerId)) return;
  const facts = beginFacts(run, user.id, "User", user.userPrincipalName, anchor.targetId);
  facts.action = "update";
  facts.steps.push(
    step(
      "EntryReferenceResolution",
      "referenceResolution",
      "success",
      `Resolved the manager of User '${user.userPrincipalName}'`,
    ),
  );
  const body = buildPatchBody([buildManagerOp(MANAGER_PATH, desired, current !== null, run.compliant)]);
  const result = await call(run, facts, "PATCH", `/Users/${encodeURIComponent(anchor.targetId)}`, body);
  if (!isSuccess(result))
    return fail(
      run,
      facts,
      classifyFailure(result, "update"),
      "EntryExportUpdate",
      `Failed to update the manager of User '${user.userPrincipalName}'`,
    );
  anchor.exportedManager = desired ?? undefined;
  facts.modified = [{ displayName: "manager", oldValue: current, newValue: desired }];
  facts.steps.push(
    step(
      "EntryExportUpdate",
      "export",
      "success",
      `User '${user.userPrincipalName}' was updated in customappsso`,
    ),
  );
  succeed(run, facts);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function mapsMembers(run: CycleRun): boolean {
  return run.groups?.attributeMappings.some((m) => m.targetAttributeName === "members" && m.source) ?? false;
}

/** The member changes a linked group needs: adds, removes of still-linked users, and links already gone. */
function memberDelta(run: CycleRun, group: DirectoryGroup, anchor: Anchor, only?: ReadonlySet<string>) {
  const anchors = run.job.engine.anchors;
  const inFilter = (id: string) => !only || only.has(id);
  // Only provisioned users are members in the target; nested groups are not provisioned as members (§3).
  const adds = [...group.memberIds].filter(
    (id) => anchors.get(id)?.objectType === "User" && inFilter(id) && !anchor.exportedMembers.has(id),
  );
  const removes = [...anchor.exportedMembers].filter((id) => !group.memberIds.has(id) && inFilter(id));
  return {
    adds,
    removes: removes.filter((id) => anchors.has(id)),
    gone: removes.filter((id) => !anchors.has(id)),
  };
}

/** True when the group's membership export is behind the directory (used to avoid a redundant skip record). */
export function hasPendingMembers(run: CycleRun, group: DirectoryGroup, anchor: Anchor): boolean {
  if (!mapsMembers(run) || !anchor.managed) return false;
  const delta = memberDelta(run, group, anchor);
  return delta.adds.length + delta.removes.length > 0;
}

/** Brings a linked group's members in line with the directory: adds and removals in batches. */
export async function syncMembers(
  run: CycleRun,
  group: DirectoryGroup,
  anchor: Anchor,
  only?: ReadonlySet<string>,
): Promise<void> {
  if (!mapsMembers(run) || !anchor.managed) return;
  const { adds, removes, gone } = memberDelta(run, group, anchor, only);
  for (const id of gone) anchor.exportedMembers.delete(id);
  for (const batch of chunk(adds, run.memberBatchSize)) {
    if (!(await patchMembers(run, group, anchor, batch, "add"))) return;
  }
  for (const batch of chunk(removes, run.memberBatchSize)) {
    if (!(await patchMembers(run, group, anchor, batch, "remove"))) return;
  }
}

function memberFacts(run: CycleRun, group: DirectoryGroup, anchor: Anchor, count: number): ActionFacts {
  const facts = beginFacts(run, group.id, "Group", group.displayName, anchor.targetId);
  facts.action = "update";
  const description = `Resolved ${count} member reference(s) of Group '${group.displayName}'`;
  facts.steps.push(step("EntryReferenceResolution", "referenceResolution", "success", description));
  return facts;
}

async function patchMembers(
  run: CycleRun,
  group: DirectoryGroup,
  anchor: Anchor,
  sourceIds: string[],
  kind: "add" | "remove",
): Promise<boolean> {
  const targetIds = sourceIds.map((id) => run.job.engine.anchors.get(id)!.targetId);
  const ops: WireOp[] =
    kind === "add"
      ? buildMemberAddOps(targetIds, run.compliant)
      : buildMemberRemoveOps(targetIds, run.compliant);
  const facts = memberFacts(run, group, anchor, sourceIds.length);
  const path = `/Groups/${encodeURIComponent(anchor.targetId)}`;
  const result = await call(run, facts, "PATCH", path, buildPatchBody(ops));
  if (!isSuccess(result)) {
    const why = `Failed to update the members of Group '${group.displayName}'`;
    fail(run, facts, classifyFailure(result, "update"), "EntryExportUpdate", why);
    return false;
  }
  for (const id of sourceIds) {
    if (kind === "add") anchor.exportedMembers.add(id);
    else anchor.exportedMembers.delete(id);
  }
  const joined = targetIds.join(", ");
  facts.modified = [
    {
      displayName: "members",
      oldValue: kind === "remove" ? joined : null,
      newValue: kind === "add" ? joined : null,
    },
  ];
  const verb = kind === "add" ? "added" : "removed";
  facts.steps.push(
    step(
      "EntryExportUpdate",
      "export",
      "success",
      `Group '${group.displayName}' members were ${verb} in customappsso`,
    ),
  );
  succeed(run, facts);
  return true;
}
