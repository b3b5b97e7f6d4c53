/**
 * The PATCH protocol core (RFC 7644 §3.5.2): request parsing, group member splitting, and application.
 */
export { applyPatch } from "./apply.js";
export { isMembersPath, MAX_MEMBER_OPS_VALUES, splitGroupPatch } from "./members.js";
export { MAX_PATCH_OPERATIONS, parsePatchRequest } from "./parse-request.js";
