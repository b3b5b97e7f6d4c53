/**
 * Deprovisioning a linked object (entra-scim-client.md §0.5, §3): `active` false on unassignment, soft
 * delete or accountEnabled=false; DELETE on hard delete; skip records for objects never provisioned.
 */
import { beginFacts, type CycleRun, call, fail, isSuccess, succeed } from "./cycle-context.js";
import type { Anchor } from "./engine-state.js";
import { classifyFailure } from "./export-errors.js";
import { step } from "./log-builder.js";
import { importStep, patch, readTarget, type SourceEntity, skip } from "./object-common.js";
import { readTargetValue } from "./target-paths.js";

/** Disables a linked user with `active` false (unassignment, soft delete, accountEnabled=false; §0.5). */
export async function disableLinked(
  run: CycleRun,
  entity: SourceEntity,
  anchor: Anchor,
  leavingScope: boolean,
): Promise<void> {
  const facts = beginFacts(run, entity.id, entity.type, entity.displayName, anchor.targetId);
  facts.steps.push(importStep(entity, leavingScope ? "Delete" : "Update"));
  const resource = await readTarget(run, entity, anchor, facts);
  if (!resource) return;
  // Once unassigned the object is no longer managed: a later soft/hard delete sends nothing (§3).
  if (leavingScope) anchor.managed = false;
  if (readTargetValue(resource, "active") === "False")
    return skip(run, facts, `${entity.type} is already disabled in customappsso.`);
  await patch(
    run,
    entity,
    anchor,
    facts,
    [{ path: "active", value: "False", hadValue: true, boolean: true }],
    "disable",
  );
}

/** DELETE for a hard-deleted (or, for groups, out-of-scope) linked object, if the mapping allows Delete. */
export async function deleteLinked(
  run: CycleRun,
  entity: Pick<SourceEntity, "id" | "type" | "displayName" | "mapping">,
  anchor: Anchor,
): Promise<void> {
  const facts = beginFacts(run, entity.id, entity.type, entity.displayName, anchor.targetId);
  facts.steps.push(
    step(
      "EntryImport",
      "import",
      "success",
      `Received ${entity.type} '${entity.displayName}' change of type (Delete) from Azure Active Directory`,
    ),
  );
  if (!entity.mapping.flowTypes.has("Delete")) {
    anchor.managed = false;
    return skip(run, facts, "The object mapping does not allow Delete.");
  }
  facts.action = "delete";
  const result = await call(
    run,
    facts,
    "DELETE",
    `${entity.type === "User" ? "/Users" : "/Groups"}/${encodeURIComponent(anchor.targetId)}`,
  );
  // A 404 on DELETE is not documented (§3); the object is gone either way.
  if (!isSuccess(result) && result.status !== 404)
    return fail(
      run,
      facts,
      classifyFailure(result, "delete"),
      "EntryExportDelete",
      `Failed to delete ${entity.type} '${entity.displayName}' in customappsso`,
    );
  run.job.engine.anchors.delete(entity.id);
  facts.steps.push(
    step(
      "EntryExportDelete",
      "export",
      "success",
      `${entity.type} '${entity.displayName}' was deleted in customappsso`,
    ),
  );
  succeed(run, facts);
}

/** Logs an object that is in scope but not provisioned (e.g. a disabled user never created, §3). */
export function skipUnprovisioned(run: CycleRun, entity: SourceEntity, why: string): void {
  const facts = beginFacts(run, entity.id, entity.type, entity.displayName);
  facts.status = "skipped";
  facts.steps.push(
    importStep(entity, "Add"),
    step("EntrySynchronizationSkipped", "scoping", "skipped", why, { SkipReason: "NotEffectivelyEntitled" }),
  );
  succeed(run, facts);
}
