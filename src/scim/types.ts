/**
 * Shared shapes of the protocol core.
 *
 * A `ScimDoc` is a resource's client-writable attributes as scimgate stores them: attribute names
 * canonicalised to the schema's spelling (`Primary` → `primary`), values exactly as sent (after type
 * coercion of Entra's string booleans), nulls dropped, extension attributes under their schema URN key.
 * It never holds `id`, `meta`, `schemas`, read-only attributes, or (for groups) `members`.
 */
export type ScimDoc = Record<string, unknown>;

/** A PATCH operation after parsing: `op` lower-cased, `path` kept as text (parsed where applied). */
export interface PatchOperation {
  readonly op: "add" | "remove" | "replace";
  readonly path?: string;
  readonly value?: unknown;
}

/**
 * The member changes of a group PATCH, folded in order so a store can apply them in O(ops):
 * when `clear` is true every existing member is removed before `add` is applied.
 */
export interface MemberDelta {
  readonly clear: boolean;
  readonly add: readonly string[];
  readonly remove: readonly string[];
}
