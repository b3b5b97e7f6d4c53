/**
 * Parsing of a PATCH request body (RFC 7644 §3.5.2) into `PatchOperation`s, accepting both Entra
 * dialects: capitalised ops by default, lower-case with `?aadOptscim062020`.
 */
import { badRequest } from "../errors.js";
import { assertNoForbiddenKeys, findOwnKey, isPlainObject } from "../resource.js";
import { SCIM_PATCH_SCHEMA } from "../schema-defs.js";
import type { PatchOperation } from "../types.js";

/** Most operations one PATCH request may carry; more is a 400 invalidValue. */
export const MAX_PATCH_OPERATIONS = 1000;

const OPS: ReadonlySet<string> = new Set(["add", "remove", "replace"]);

function assertPatchSchema(body: Record<string, unknown>): void {
  const key = findOwnKey(body, "schemas");
  const schemas = key === undefined ? undefined : body[key];
  const want = SCIM_PATCH_SCHEMA.toLowerCase();
  const ok = Array.isArray(schemas) && schemas.some((s) => typeof s === "string" && s.toLowerCase() === want);
  if (!ok) throw badRequest("invalidSyntax", `"schemas" must be an array containing "${SCIM_PATCH_SCHEMA}"`);
}

function operationsOf(body: Record<string, unknown>): unknown[] {
  // RFC 7644 spells it "Operations"; some clients send "operations", so the key is case-insensitive.
  const key = findOwnKey(body, "Operations");
  const ops = key === undefined ? undefined : body[key];
  if (!Array.isArray(ops) || ops.length === 0) {
    throw badRequest("invalidSyntax", '"Operations" must be a non-empty array');
  }
  if (ops.length > MAX_PATCH_OPERATIONS) {
    throw badRequest("invalidValue", `"Operations" has more than ${MAX_PATCH_OPERATIONS} operations`);
  }
  return ops;
}

function parseOp(raw: unknown, label: string): PatchOperation["op"] {
  // Entra sends "Add"/"Replace"/"Remove" (capitalised); ops are case-insensitive here.
  const op = typeof raw === "string" ? raw.toLowerCase() : undefined;
  if (op === undefined || !OPS.has(op)) {
    throw badRequest("invalidSyntax", `${label}.op must be one of "add", "remove", "replace"`);
  }
  return op as PatchOperation["op"];
}

function parsePath(raw: unknown, label: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") throw badRequest("invalidSyntax", `${label}.path must be a string`);
  // An empty path means "the resource itself", the same as no path (RFC 7644 §3.5.2).
  return raw.trim() === "" ? undefined : raw;
}

function parseOperation(raw: unknown, label: string): PatchOperation {
  if (!isPlainObject(raw)) throw badRequest("invalidSyntax", `${label} must be an object`);
  const get = (name: string) => {
    const key = findOwnKey(raw, name);
    return key === undefined ? undefined : raw[key];
  };
  const op = parseOp(get("op"), label);
  const path = parsePath(get("path"), label);
  // Extra members such as the reference tests' "name": "addMember" are ignored.
  const hasValue = findOwnKey(raw, "value") !== undefined;
  if (op === "remove" && path === undefined) {
    throw badRequest("noTarget", `${label}: a remove operation needs a "path"`);
  }
  if (op !== "remove" && !hasValue) {
    throw badRequest("invalidValue", `${label}: "${op}" needs a "value"`);
  }
  return {
    op,
    ...(path === undefined ? {} : { path }),
    ...(hasValue ? { value: get("value") } : {}),
  };
}

/** Parses and validates a PATCH body into its operations (ops lower-cased, paths kept as text). */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isPlainObject(body)) throw badRequest("invalidSyntax", "request body must be a JSON object");
  assertNoForbiddenKeys(body);
  assertPatchSchema(body);
  return operationsOf(body).map((raw, i) => parseOperation(raw, `Operations[${i}]`));
}
