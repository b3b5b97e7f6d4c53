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

/**
 * A deep copy of a JSON value (what `JSON.parse` yields: plain objects, arrays, strings, numbers, booleans,
 * null). About ten times faster than `structuredClone` on a user's document, which it replaces on the
 * PATCH path. Own enumerable keys only; a `__proto__` key is copied as data, never as the prototype.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = cloneJson((value as Record<string, unknown>)[key]);
    if (key === "__proto__")
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}
