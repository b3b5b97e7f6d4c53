/**
 * Exporting one user or group (entra-scim-client.md §3): match by the matching attributes, then create
 * or update only the attributes that differ; disable with `active` false; DELETE on hard delete.
 */

import type { AttributeMapping } from "../default-schema.js";
import { CORE_GROUP, ENTERPRISE_USER } from "../default-schema.js";
import { beginFacts, type CycleRun, call, fail, isSuccess, succeed } from "./cycle-context.js";
import type { Anchor } from "./engine-state.js";
import { type AttributeLookup, evaluateSource } from "./evaluate.js";
import { classifyFailure, incompatible } from "./export-errors.js";
import type { ActionFacts } from "./log-builder.js";
import { step } from "./log-builder.js";
import { type AttributeChange, buildAttributeOps, buildPatchBody } from "./patch-builder.js";
import { matchingMappings, type ObjectMappingModel } from "./schema-model.js";
import { eqFilterQuery, isListResponse } from "./scim-client.js";
import { isReferenceTarget, normalizeScalar, readTargetValue, writeTargetValue } from "./target-paths.js";

/** The non-standard group schema URI Entra adds on group creation (entra-scim-client.md §0.7). */
export const ADSCIM_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";

/** A source object ready for export. */
export interface SourceEntity {
  id: string;
  type: "User" | "Group";
  displayName: string;
  lookup: AttributeLookup;
  mapping: ObjectMappingModel;
}

interface Desired {
  mapping: AttributeMapping;
  value: string;
  boolean: boolean;
}

function endpoint(entity: SourceEntity): string {
  return entity.type === "User" ? "/Users" : "/Groups";
}

/** Groups are always read without members (entra-scim-client.md §1.1). */
function readQuery(entity: SourceEntity): string {
  return entity.type === "Group" ? "excludedAttributes=members&" : "";
}

/** Evaluates the non-reference mappings; `create` applies default values (only on create, §1.4). */
function desiredValues(entity: SourceEntity, create: boolean): Desired[] {
  const out: Desired[] = [];
  for (const mapping of entity.mapping.attributeMappings) {
    if (!mapping.source || isReferenceTarget(mapping.targetAttributeName)) continue;
    if (!create && mapping.flowType === "ObjectAddOnly") continue;
    const raw = evaluateSource(mapping.source, entity.lookup);
    const text =
      normalizeScalar(Array.isArray(raw) ? raw[0] : raw) ??
      (create ? normalizeScalar(mapping.defaultValue) : null);
    // Nulls are never sent (§1.4 mapping rules).
    if (text === null) continue;
    out.push({ mapping, value: text, boolean: mapping.targetAttributeName === "active" });
  }
  return out;
}

function buildCreateBody(entity: SourceEntity, desired: Desired[]): Record<string, unknown> {
  const schemas = entity.type === "User" ? [CORE_USER, ENTERPRISE_USER] : [CORE_GROUP, ADSCIM_GROUP_SCHEMA];
  const body: Record<string, unknown> = { schemas };
  for (const d of desired)
    writeTargetValue(body, d.mapping.targetAttributeName, d.boolean ? d.value === "True" : d.value);
  body.meta = { resourceType: entity.type };
  return body;
}

function importStep(entity: SourceEntity, change: string) {
  return step(
    "EntryImport",
    "import",
    "success",
    `Received ${entity.type} '${entity.displayName}' change of type (${change}) from Azure Active Directory`,
  );
}

/** Evaluation errors (an unsupported function) fail the object, never the cycle. */
function safeDesired(
  run: CycleRun,
  entity: SourceEntity,
  facts: ActionFacts,
  create: boolean,
): Desired[] | undefined {
  try {
    return desiredValues(entity, create);
  } catch (error) {
    fail(
      run,
      facts,
      { errorCode: "AttributeMappingEvaluationFailed", reason: (error as Error).message, transient: false },
      "EntrySynchronizationError",
      `Failed to evaluate the attribute mappings of ${entity.type} '${entity.displayName}'`,
    );
    return undefined;
  }
}

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

function skip(run: CycleRun, facts: ActionFacts, why: string): void {
  facts.status = "skipped";
  facts.steps.push(
    step("EntrySynchronizationSkipped", "export", "skipped", why, { SkipReason: "RedundantExport" }),
  );
  succeed(run, facts);
}

/** Reads the cached target object; 404 there is InvalidAnchor (§0.8). */
async function readTarget(
  run: CycleRun,
  entity: SourceEntity,
  anchor: Anchor,
  facts: ActionFacts,
): Promise<Record<string, unknown> | undefined> {
  const query = entity.type === "Group" ? "?excludedAttributes=members" : "";
  const result = await call(
    run,
    facts,
    "GET",
    `${endpoint(entity)}/${encodeURIComponent(anchor.targetId)}${query}`,
  );
  if (!isSuccess(result))
    return void fail(
      run,
      facts,
      classifyFailure(result, "read"),
      "EntryImport",
      `Failed to read ${entity.type} '${entity.displayName}' from customappsso`,
    );
  if (typeof result.body !== "object" || result.body === null)
    return void fail(
      run,
      facts,
      incompatible("The GET response is not a JSON object."),
      "EntryImport",
      "Unreadable response",
    );
  return result.body as Record<string, unknown>;
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
  if (changes.length === 0)
    return skip(
      run,
      facts,
      `The state of the ${entity.type} in both the source and target systems already match.`,
    );
  await patch(run, entity, anchor, facts, changes, "update");
}

async function patch(
  run: CycleRun,
  entity: SourceEntity,
  anchor: Anchor,
  facts: ActionFacts,
  changes: AttributeChange[],
  action: "update" | "disable",
): Promise<void> {
  facts.action = action;
  const body = buildPatchBody(buildAttributeOps(changes, run.compliant));
  const result = await call(
    run,
    facts,
    "PATCH",
    `${endpoint(entity)}/${encodeURIComponent(anchor.targetId)}`,
    body,
  );
  if (!isSuccess(result))
    return fail(
      run,
      facts,
      classifyFailure(result, "update"),
      "EntryExportUpdate",
      `Failed to update ${entity.type} '${entity.displayName}' in customappsso`,
    );
  facts.modified = changes.map((c) => ({ displayName: c.path, oldValue: null, newValue: c.value }));
  const verb = action === "disable" ? "disabled" : "updated";
  facts.steps.push(
    step(
      action === "disable" ? "EntryExportUpdateSoftDelete" : "EntryExportUpdate",
      "export",
      "success",
      `${entity.type} '${entity.displayName}' was ${verb} in customappsso`,
    ),
  );
  succeed(run, facts);
}

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
