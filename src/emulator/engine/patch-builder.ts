/**
 * PATCH bodies in Entra's two dialects (entra-scim-client.md §2): the default ("legacy": capitalised ops,
 * string booleans, member removal by value array) and the `aadOptscim062020` one (lower-case ops, real
 * booleans, several scalar replaces batched in one path-less op, member removal by filter path).
 */

/** SCIM PatchOp message URN. */
export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** One attribute difference to export. */
export interface AttributeChange {
  path: string;
  /** The new value as text ("True"/"False" for booleans). */
  value: string;
  /** Whether the target had a value (Replace) or not (Add). */
  hadValue: boolean;
  boolean: boolean;
}

/** A PATCH operation as sent on the wire. */
export interface WireOp {
  op: string;
  path?: string;
  value?: unknown;
}

/** Wraps operations in a PatchOp message. */
export function buildPatchBody(ops: WireOp[]): { schemas: string[]; Operations: WireOp[] } {
  return { schemas: [PATCH_OP_SCHEMA], Operations: ops };
}

function opName(name: "add" | "replace" | "remove", compliant: boolean): string {
  return compliant ? name : name[0]!.toUpperCase() + name.slice(1);
}

function wireValue(change: AttributeChange, compliant: boolean): unknown {
  // Default dialect sends booleans as "True"/"False" strings; the flag sends JSON booleans (§2).
  return change.boolean && compliant ? change.value === "True" : change.value;
}

/** Operations for attribute changes in the chosen dialect. */
export function buildAttributeOps(changes: AttributeChange[], compliant: boolean): WireOp[] {
  if (!compliant) {
    return changes.map((c) => ({
      op: opName(c.hadValue ? "replace" : "add", false),
      path: c.path,
      value: wireValue(c, false),
    }));
  }
  const ops: WireOp[] = [];
  const batched: AttributeChange[] = [];
  for (const c of changes) {
    // Filtered paths stay separate; adds of missing values are single ops; scalar replaces are batched (§2).
    if (c.path.includes("[") || !c.hadValue)
      ops.push({ op: opName(c.hadValue ? "replace" : "add", true), path: c.path, value: wireValue(c, true) });
    else batched.push(c);
  }
  if (batched.length === 1) {
    const only = batched[0]!;
    ops.push({ op: "replace", path: only.path, value: wireValue(only, true) });
  } else if (batched.length > 1) {
    ops.push({ op: "replace", value: Object.fromEntries(batched.map((c) => [c.path, wireValue(c, true)])) });
  }
  return ops;
}

/** Manager reference op: bare string id; cleared with "" (entra-scim-client.md §0.4). */
export function buildManagerOp(
  path: string,
  targetId: string | null,
  hadManager: boolean,
  compliant: boolean,
): WireOp {
  const op = opName(hadManager ? "replace" : "add", compliant);
  return { op, path, value: targetId ?? "" };
}

/** Member additions: one `Add members` op with a value array (§0.3). */
export function buildMemberAddOps(targetIds: string[], compliant: boolean): WireOp[] {
  if (targetIds.length === 0) return [];
  const value = targetIds.map((id) => (compliant ? { value: id } : { $ref: null, value: id }));
  return [{ op: opName("add", compliant), path: "members", value }];
}

/** Member removals: a value array by default, one `members[value eq "…"]` op per member with the flag (§2). */
export function buildMemberRemoveOps(targetIds: string[], compliant: boolean): WireOp[] {
  if (targetIds.length === 0) return [];
  if (!compliant) return [{ op: "Remove", path: "members", value: targetIds.map((id) => ({ value: id })) }];
  return targetIds.map((id) => ({ op: "remove", path: `members[value eq "${id}"]` }));
}
