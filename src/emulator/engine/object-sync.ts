/**
 * Exporting one user or group (entra-scim-client.md §3): match by the matching attributes, then create
 * or update only the attributes that differ (§3 "Updates are diffs").
 */
import { ENTERPRISE_USER } from "../default-schema.js";
import { beginFacts, type CycleRun, call, fail, isSuccess, succeed } from "./cycle-context.js";
import type { Anchor } from "./engine-state.js";
import { evaluateSource } from "./evaluate.js";
import { classifyFailure, incompatible } from "./export-errors.js";
import type { ActionFacts } from "./log-builder.js";
import { step } from "./log-builder.js";
import {
  buildCreateBody,
  endpoint,
  importStep,
  patch,
  readQuery,
  readTarget,
  type SourceEntity,
  safeDesired,
  skip,
} from "./object-common.js";
import type { AttributeChange } from "./patch-builder.js";
import { hasPendingMembers } from "./reference-sync.js";
import { matchingMappings } from "./schema-model.js";
import { eqFilterQuery, isListResponse } from "./scim-client.js";
import { normalizeScalar, readTargetValue } from "./target-paths.js";

/** Queries the target by each matching attribute in precedence order; returns the match, null, or undefined on failure. */
async function findMatch(
  run: CycleRun,
  entity: SourceEntity,
  facts: ActionFacts,
): Promise<Record<string, unknown> | null | undefined> {
  for (const m of matchingMappings(entity.mapping)) {
    const value = m.source ? normalizeScalar(evaluateSource(m.source, entity.lookup)) : null;
    if (value === null) continue;
    const result = await call(
      run,
      facts,
      "GET",
      `${endpoint(entity)}${eqFilterQuery(m.targetAttributeName, value, readQuery(entity))}`,
    );
    if (!isSuccess(result))
      return void fail(
        run,
        facts,
        classifyFailure(result, "query"),
        "EntryImport",
        `Failed to query ${entity.type} '${entity.displayName}' in customappsso`,
      );
    if (!isListResponse(result.body))
      return void fail(
        run,
        facts,
        incompatible("The filter query did not return a SCIM ListResponse."),
        "EntryImport",
        "Unreadable query response",
      );
    const resources = (result.body.Resources ?? []) as Record<string, unknown>[];
    if (resources.length > 1 || result.body.totalResults > 1) {
      return void fail(
        run,
        facts,
        {
          errorCode: "DuplicateTargetEntries",
          reason: `More than one ${entity.type} matched ${m.targetAttributeName} eq "${value}".`,
          transient: false,
        },
        "EntryImport",
        "Ambiguous match",
      );
    }
    if (resources.length === 1) return resources[0]!;
  }
  return null;
}

/** Initial export of an object without a cached id: match, then update or create (§3 steps 2–4). */
export async function matchOrCreate(run: CycleRun, entity: SourceEntity): Promise<void> {
  const facts = beginFacts(run, entity.id, entity.type, entity.displayName);
  facts.steps.push(
    importStep(entity, "Add"),
    step(
      "EntrySynchronizationScoping",
      "scoping",
      "success",
      `${entity.type} '${entity.displayName}' is in scope`,
    ),
  );
  if (matchingMappings(entity.mapping).length === 0) {
    return fail(
      run,
      facts,
      {
        errorCode: "NoMatchingAttribute",
        reason: "The object mapping defines no matching attribute.",
        transient: false,
      },
      "EntryImport",
      "No matching attribute",
    );
  }
  const match = await findMatch(run, entity, facts);
  if (match === undefined) return;
  if (match) {
    const anchor = adopt(run, entity, String(match.id ?? ""));
    facts.steps.push(
      step(
        "EntryImport",
        "matching",
        "success",
        `Retrieved ${entity.type} '${entity.displayName}' from customappsso`,
      ),
    );
    return diffAndPatch(run, entity, anchor, match, facts);
  }
  facts.steps.push(
    step(
      "EntrySynchronizationAdd",
      "matching",
      "success",
      `${entity.type} '${entity.displayName}' will be created in customappsso (no matching ${entity.type} was found)`,
    ),
  );
  if (!entity.mapping.flowTypes.has("Add")) return skip(run, facts, "The object mapping does not allow Add.");
  await create(run, entity, facts);
}

function adopt(run: CycleRun, entity: SourceEntity, targetId: string): Anchor {
  const anchor: Anchor = {
    sourceId: entity.id,
    objectType: entity.type,
    targetId,
    displayName: entity.displayName,
    managed: true,
    exportedMembers: new Set(),
  };
  run.job.engine.anchors.set(entity.id, anchor);
  return anchor;
}

async function create(run: CycleRun, entity: SourceEntity, facts: ActionFacts): Promise<void> {
  const desired = safeDesired(run, entity, facts, true);
  if (!desired) return;
  facts.action = "create";
  const result = await call(run, facts, "POST", endpoint(entity), buildCreateBody(entity, desired));
  if (!isSuccess(result))
    return fail(
      run,
      facts,
      classifyFailure(result, "create"),
      "EntryExportAdd",
      `Failed to create ${entity.type} '${entity.displayName}' in customappsso`,
    );
  const id = (result.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string" || id === "")
    return fail(
      run,
      facts,
      incompatible("The create response carries no id."),
      "EntryExportAdd",
      "Unreadable create response",
    );
  adopt(run, entity, id);
  facts.targetId = id;
  facts.modified = desired.map((d) => ({
    displayName: d.mapping.targetAttributeName,
    oldValue: null,
    newValue: d.value,
  }));
  facts.steps.push(
    step(
      "EntryExportAdd",
      "export",
      "success",
      `${entity.type} '${entity.displayName}' was created in customappsso`,
      { ReportableIdentifier: entity.displayName },
    ),
  );
  succeed(run, facts);
}

/** Incremental update of a linked object: read it, PATCH what differs (§3 "Updates are diffs"). */
export async function updateLinked(run: CycleRun, entity: SourceEntity, anchor: Anchor): Promise<void> {
  const facts = beginFacts(run, entity.id, entity.type, entity.displayName, anchor.targetId);
  facts.steps.push(importStep(entity, "Update"));
  const resource = await readTarget(run, entity, anchor, facts);
  if (resource) await diffAndPatch(run, entity, anchor, resource, facts);
}

async function diffAndPatch(
  run: CycleRun,
  entity: SourceEntity,
  anchor: Anchor,
  resource: Record<string, unknown>,
  facts: ActionFacts,
): Promise<void> {
  facts.targetId = anchor.targetId;
  anchor.managed = true;
  if (entity.type === "User")
    anchor.exportedManager = readTargetValue(resource, `${ENTERPRISE_USER}:manager`) ?? undefined;
  const desired = safeDesired(run, entity, facts, false);
  if (!desired) return;
  const changes: AttributeChange[] = [];
  for (const d of desired) {
    const current = readTargetValue(resource, d.mapping.targetAttributeName);
    if (current !== d.value)
      changes.push({
        path: d.mapping.targetAttributeName,
        value: d.value,
        hadValue: current !== null,
        boolean: d.boolean,
      });
  }
  // A group whose only change is membership is logged by the member export, not as a skip.
  const group = entity.type === "Group" ? run.state.directory.groups.get(entity.id) : undefined;
  if (changes.length === 0 && group && hasPendingMembers(run, group, anchor)) return;
  if (changes.length === 0)
    return skip(
      run,
      facts,
      `The state of the ${entity.type} in both the source and target systems already match.`,
    );
  await patch(run, entity, anchor, facts, changes, "update");
}
