import { applyPatch } from "../scim/patch/apply.js";
import type { ResourceTypeDef } from "../scim/schema-defs.js";
import type { PatchOperation, ScimDoc } from "../scim/types.js";

/**
 * The new attributes of an update, as data rather than a callback, so that a store running on another
 * thread can apply it inside its own transaction: either a whole new document (PUT) or PATCH operations
 * applied to the stored one. An empty `patch` keeps the document as it is (a members-only group PATCH).
 */
export type DocChange = { readonly replace: ScimDoc } | { readonly patch: readonly PatchOperation[] };

/**
 * Applies `change` to the stored `current` document of a User or Group. Returns `current` itself when
 * nothing is to change, so a store can skip rewriting the row. Throws SCIMError for a PATCH that does not
 * apply; the store's transaction then rolls back.
 */
export function applyDocChange(rt: ResourceTypeDef, change: DocChange, current: ScimDoc): ScimDoc {
  if ("replace" in change) return change.replace;
  if (change.patch.length === 0) return current;
  return applyPatch(rt, current, change.patch);
}
