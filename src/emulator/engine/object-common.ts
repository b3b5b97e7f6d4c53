/**
 * Shared pieces of exporting one object: the source entity, desired values from the mappings, target
 * reads (404 = InvalidAnchor), PATCH with the run's dialect, and skip records.
 */
import type { AttributeMapping } from "../default-schema.js";
import { CORE_GROUP, ENTERPRISE_USER } from "../default-schema.js";
import { type CycleRun, call, fail, isSuccess, succeed } from "./cycle-context.js";
import type { Anchor } from "./engine-state.js";
import { type AttributeLookup, evaluateSource } from "./evaluate.js";
import { classifyFailure, incompatible } from "./export-errors.js";
import type { ActionFacts } from "./log-builder.js";
import { step } from "./log-builder.js";
import { type AttributeChange, buildAttributeOps, buildPatchBody } from "./patch-builder.js";
import type { ObjectMappingModel } from "./schema-model.js";
import { isReferenceTarget, normalizeScalar, writeTargetValue } from "./target-paths.js";
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

/** A mapped target attribute with the value the source wants. */
export interface Desired {
  mapping: AttributeMapping;
  value: string;
  boolean: boolean;
}

/** The SCIM collection of the entity: `/Users` or `/Groups`. */
export function endpoint(entity: SourceEntity): string {
  return entity.type === "User" ? "/Users" : "/Groups";
}

/** Groups are always read without members (entra-scim-client.md §1.1). */
export function readQuery(entity: SourceEntity): string {
  return entity.type === "Group" ? "excludedAttributes=members&" : "";
}

/** Evaluates the non-reference mappings; `create` applies default values (only on create, §1.4). */
export function desiredValues(entity: SourceEntity, create: boolean): Desired[] {
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

/** The POST body Entra sends on create (entra-scim-client.md §1.2): schemas, mapped values, `meta`. */
export function buildCreateBody(entity: SourceEntity, desired: Desired[]): Record<string, unknown> {
  const schemas = entity.type === "User" ? [CORE_USER, ENTERPRISE_USER] : [CORE_GROUP, ADSCIM_GROUP_SCHEMA];
  const body: Record<string, unknown> = { schemas };
  for (const d of desired)
    writeTargetValue(body, d.mapping.targetAttributeName, d.boolean ? d.value === "True" : d.value);
  body.meta = { resourceType: entity.type };
  return body;
}

/** The import step of a log record ("Received User … change of type (Add)"). */
export function importStep(entity: SourceEntity, change: string) {
  return step(
    "EntryImport",
    "import",
    "success",
    `Received ${entity.type} '${entity.displayName}' change of type (${change}) from Azure Active Directory`,
  );
}

/** Evaluation errors (an unsupported function) fail the object, never the cycle. */
export function safeDesired(
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

/** Records a skipped action (RedundantExport) and clears the object's escrow. */
export function skip(run: CycleRun, facts: ActionFacts, why: string): void {
  facts.status = "skipped";
  facts.steps.push(
    step("EntrySynchronizationSkipped", "export", "skipped", why, { SkipReason: "RedundantExport" }),
  );
  succeed(run, facts);
}

/** Reads the cached target object; 404 there is InvalidAnchor (§0.8). */
export async function readTarget(
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

/** PATCHes attribute changes in the run's dialect and records the update or disable. */
export async function patch(
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
