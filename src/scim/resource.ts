/**
 * Validation and normalisation of resource bodies (POST/PUT, and docs after PATCH) against the schema
 * data in `schema-defs.ts`. Pure: no I/O. Names are matched case-insensitively (RFC 7643 §2.1) and
 * stored in the schema's spelling; values are kept exactly as sent, except Entra's string booleans.
 */
import { badRequest, type SCIMError } from "./errors.js";
import {
  type AttributeDef,
  findAttribute,
  findExtension,
  findIn,
  findSubAttribute,
  type ResourceTypeDef,
  type SchemaDef,
} from "./schema-defs.js";
import type { ScimDoc } from "./types.js";

/** Most elements one multi-valued attribute (other than group `members`) may hold. */
export const MAX_MULTI_VALUES = 100;
/** Longest string value accepted, in UTF-16 code units (16 KiB). */
export const MAX_STRING_LENGTH = 16 * 1024;
/** Most member ids one POST/PUT body may carry. */
export const MAX_MEMBER_VALUES = 10_000;
/** Longest group member id accepted, in UTF-16 code units. */
export const MAX_MEMBER_ID_LENGTH = 1024;
/** Object keys rejected anywhere in a request body, so no input can reach an object's prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

type Obj = Record<string, unknown>;

/** What `parseResource` does with attributes the schema does not define. */
export type UnknownAttributePolicy = "reject" | "ignore";

/** Options of `parseResource`. */
export interface ParseResourceOptions {
  /** Require `schemas` to list the resource type's core schema URN (RFC 7643 §3); default true. */
  readonly requireSchemas?: boolean;
  /** "reject" (default): 400 invalidValue naming the attribute; "ignore": drop it silently. */
  readonly unknownAttributes?: UnknownAttributePolicy;
}

/** Options of `parseAttributeValue`. */
export interface ValueOptions {
  /** Accept a single value for a multi-valued attribute by wrapping it (PATCH leniency); default false. */
  readonly wrapSingle?: boolean;
  /** Unknown sub-attributes: "reject" (default) or "ignore". */
  readonly unknownAttributes?: UnknownAttributePolicy;
}

/** Own-property-only plain-object test (JSON objects, never arrays or null). */
export function isPlainObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(detail: string): SCIMError {
  return badRequest("invalidValue", detail);
}

function typeError(label: string, what: string): SCIMError {
  return invalid(`attribute "${label}" must be ${what}`);
}

/** A node of the forbidden-key walk; its label is only built when an error needs it. */
interface Frame {
  readonly value: unknown;
  readonly parent: Frame | undefined;
  readonly step: string;
}

function labelOf(frame: Frame | undefined): string {
  const steps: string[] = [];
  for (let f = frame; f !== undefined; f = f.parent) steps.push(f.step);
  return steps.reverse().join("").replace(/^\./, "");
}

/** Rejects `__proto__`, `constructor` and `prototype` keys at any depth of `value` (400 invalidValue). */
export function assertNoForbiddenKeys(value: unknown, label = ""): void {
  // An explicit stack, and labels built only on error: a hostile body nested thousands deep costs
  // neither call stack nor quadratic string building.
  const stack: Frame[] = [{ value, parent: undefined, step: label }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const v = frame.value;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ value: v[i], parent: frame, step: `[${i}]` });
    } else if (isPlainObject(v)) {
      for (const key of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key, labelOf(frame));
        stack.push({ value: v[key], parent: frame, step: `.${key}` });
      }
    }
  }
}

/** The 400 for a key that could reach an object's prototype. */
export function forbiddenKey(key: string, at = ""): SCIMError {
  return invalid(`forbidden attribute name "${key}"${at === "" ? "" : ` in "${at}"`}`);
}

/** Finds an own key case-insensitively; never consults the prototype chain. */
export function findOwnKey(obj: Obj, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function parseBoolean(value: unknown, label: string): boolean {
  if (typeof value === "boolean") return value;
  // Entra's default Switch([IsSoftDeleted], …) mapping sends "True"/"False" as strings (known-issues doc).
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  throw typeError(label, "a boolean");
}

function parseString(value: unknown, label: string): string {
  if (typeof value !== "string") throw typeError(label, "a string");
  if (value.length > MAX_STRING_LENGTH) {
    throw invalid(`attribute "${label}" is longer than ${MAX_STRING_LENGTH} characters`);
  }
  return value;
}

function parseComplex(def: AttributeDef, value: unknown, label: string, policy: UnknownAttributePolicy) {
  if (!isPlainObject(value)) throw typeError(label, "an object");
  const out: Obj = {};
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key, label);
    const sub = findSubAttribute(def, key);
    if (sub === undefined) {
      if (policy === "ignore") continue;
      throw invalid(`unknown attribute "${label}.${key}"`);
    }
    // RFC 7643 §2.2: readOnly values a client sends are ignored (e.g. manager.displayName).
    if (sub.mutability === "readOnly") continue;
    if (Object.hasOwn(out, sub.name)) throw invalid(`duplicate attribute "${label}.${sub.name}"`);
    const v = parseElementValue(sub, value[key], `${label}.${sub.name}`, policy);
    if (v !== undefined) out[sub.name] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Parses one element (or a single-valued attribute's value) of `def`; `undefined` means "no value". */
export function parseElementValue(
  def: AttributeDef,
  value: unknown,
  label: string,
  policy: UnknownAttributePolicy = "reject",
): unknown {
  if (value === null || value === undefined) return undefined;
  switch (def.type) {
    case "complex":
      return parseComplex(def, value, label, policy);
    case "boolean":
      return parseBoolean(value, label);
    case "integer":
      if (typeof value === "number" && Number.isInteger(value)) return value;
      throw typeError(label, "an integer");
    case "decimal":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      throw typeError(label, "a number");
    default:
      // string, reference, dateTime and binary all travel as JSON strings (RFC 7643 §2.3).
      return parseString(value, label);
  }
}

/** True for the enterprise `manager` attribute, whose Entra shapes need special handling. */
export function isManager(def: AttributeDef): boolean {
  return def.name === "manager" && def.type === "complex" && !def.multiValued;
}

function parseManager(
  def: AttributeDef,
  value: unknown,
  label: string,
  policy: UnknownAttributePolicy,
): Obj | undefined {
  // Entra sets the manager with a bare id string and clears it with "" (Logic App validation vectors).
  if (typeof value === "string")
    return value === "" ? undefined : { value: parseString(value, `${label}.value`) };
  // Old tutorial "Example 5" sends [{"$ref": …, "value": …}].
  if (Array.isArray(value)) {
    if (value.length > 1) throw typeError(label, "a single value");
    return value.length === 0 ? undefined : parseManager(def, value[0], `${label}[0]`, policy);
  }
  const parsed = parseComplex(def, value, label, policy);
  // A manager without an id is no manager: {"value": ""} clears it like "" does.
  return parsed === undefined || parsed.value === undefined || parsed.value === "" ? undefined : parsed;
}

/** RFC 7643 §2.4: the primary value "true" MUST appear no more than once. */
export function assertOnePrimary(list: readonly unknown[], label: string): void {
  const primaries = list.filter((e) => isPlainObject(e) && e.primary === true).length;
  if (primaries > 1) throw invalid(`attribute "${label}" has more than one primary value`);
}

function parseMulti(def: AttributeDef, value: unknown, label: string, opts: ValueOptions) {
  if (!Array.isArray(value) && !opts.wrapSingle) throw typeError(label, "an array");
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length > MAX_MULTI_VALUES) {
    throw invalid(`attribute "${label}" has more than ${MAX_MULTI_VALUES} values`);
  }
  const out: unknown[] = [];
  list.forEach((element, i) => {
    const v = parseElementValue(def, element, `${label}[${i}]`, opts.unknownAttributes);
    if (v !== undefined) out.push(v);
  });
  assertOnePrimary(out, label);
  // Entra sends "roles": [] on create; an empty list is the same as no value.
  return out.length === 0 ? undefined : out;
}

/** Parses a whole attribute value against `def` (type checks, coercion, nulls and empties dropped). */
export function parseAttributeValue(
  def: AttributeDef,
  value: unknown,
  label: string,
  opts: ValueOptions = {},
): unknown {
  if (value === null || value === undefined) return undefined;
  if (isManager(def)) return parseManager(def, value, label, opts.unknownAttributes ?? "reject");
  if (def.multiValued) return parseMulti(def, value, label, opts);
  return parseElementValue(def, value, label, opts.unknownAttributes);
}

/** Parses one group member reference (`{"value": id, "$ref"?, "display"?, "type"?}` or a bare id string). */
export function parseMemberValue(element: unknown, label: string): string {
  // The Microsoft reference tests send "value": "string id 1" (a bare string) and expect it accepted.
  if (typeof element === "string") return memberId(element, label);
  if (!isPlainObject(element)) throw typeError(label, 'an object with a "value"');
  let id: string | undefined;
  for (const key of Object.keys(element)) {
    if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key, label);
    const lower = key.toLowerCase();
    if (lower === "value") id = memberId(element[key], `${label}.value`);
    // Entra sends "$ref": null; Okta "display"; the Microsoft reference tests "displayName". Not stored.
    else if (!MEMBER_IGNORED_KEYS.has(lower)) throw invalid(`unknown attribute "${label}.${key}"`);
  }
  if (id === undefined) throw typeError(`${label}.value`, "a non-empty string");
  return id;
}

const MEMBER_IGNORED_KEYS: ReadonlySet<string> = new Set(["$ref", "display", "displayname", "type"]);

function memberId(value: unknown, label: string): string {
  if (typeof value !== "string" || value === "") throw typeError(label, "a non-empty string");
  // Member values are scimgate's own ids; a tight cap also keeps Set/Map hashing of them linear.
  if (value.length > MAX_MEMBER_ID_LENGTH) {
    throw invalid(`attribute "${label}" is longer than ${MAX_MEMBER_ID_LENGTH} characters`);
  }
  return value;
}

function parseMembers(value: unknown): string[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) throw typeError("members", "an array");
  if (value.length > MAX_MEMBER_VALUES)
    throw invalid(`attribute "members" has more than ${MAX_MEMBER_VALUES} values`);
  return [...new Set(value.map((e, i) => parseMemberValue(e, `members[${i}]`)))];
}

/** Keys of a resource body that are never stored: RFC 7643 §3 message framing and credentials. */
const IGNORED_KEYS: ReadonlySet<string> = new Set([
  "schemas",
  // RFC 7643 §4.1 defines password; scimgate never stores credentials, so it is accepted and dropped.
  "password",
]);

interface Ctx {
  readonly rt: ResourceTypeDef;
  readonly policy: UnknownAttributePolicy;
  readonly doc: ScimDoc;
}

function assignOnce(target: Obj, name: string, value: unknown, label: string): void {
  if (Object.hasOwn(target, name)) throw invalid(`duplicate attribute "${label}"`);
  if (value !== undefined) target[name] = value;
}

function parseExtension(ctx: Ctx, ext: SchemaDef, value: unknown): void {
  if (value === null) return;
  if (!isPlainObject(value)) throw typeError(ext.id, "an object");
  const out: Obj = {};
  for (const key of Object.keys(value)) {
    const def = findIn(ext.attributes, key);
    if (def === undefined) {
      if (ctx.policy === "reject") throw invalid(`unknown attribute "${ext.id}:${key}"`);
      continue;
    }
    if (def.mutability === "readOnly") continue;
    const label = `${ext.id}:${def.name}`;
    const opts = { unknownAttributes: ctx.policy };
    assignOnce(out, def.name, parseAttributeValue(def, value[key], label, opts), label);
  }
  if (Object.hasOwn(ctx.doc, ext.id)) throw invalid(`duplicate attribute "${ext.id}"`);
  if (Object.keys(out).length > 0) ctx.doc[ext.id] = out;
}

function parseTopLevel(ctx: Ctx, key: string, value: unknown): void {
  // Extension data sits under its URN key (RFC 7643 §3.3), matched case-insensitively; the URN need
  // not be listed in "schemas" (Entra omits custom extension URNs from it).
  const ext = findExtension(ctx.rt, key);
  if (ext !== undefined) {
    parseExtension(ctx, ext, value);
    return;
  }
  const found = findAttribute(ctx.rt, key);
  if (found === undefined) {
    if (IGNORED_KEYS.has(key.toLowerCase()) || ctx.policy === "ignore") return;
    throw invalid(`unknown attribute "${key}"`);
  }
  // RFC 7643 §2.2: readOnly attributes (id, meta, User groups) sent by a client are ignored.
  if (found.def.mutability === "readOnly") return;
  const opts = { unknownAttributes: ctx.policy };
  const name = found.def.name;
  assignOnce(ctx.doc, name, parseAttributeValue(found.def, value, name, opts), name);
}

function assertSchemas(rt: ResourceTypeDef, body: Obj): void {
  const key = findOwnKey(body, "schemas");
  const schemas = key === undefined ? undefined : body[key];
  const core = rt.schema.id.toLowerCase();
  // Unknown URNs (Entra's ADSCIM group URI, the typo'd "…enterprise:2.0User") are ignored.
  const ok = Array.isArray(schemas) && schemas.some((s) => typeof s === "string" && s.toLowerCase() === core);
  if (!ok) throw badRequest("invalidSyntax", `"schemas" must be an array containing "${rt.schema.id}"`);
}

function assertRequired(rt: ResourceTypeDef, doc: ScimDoc): void {
  for (const def of rt.schema.attributes) {
    if (!def.required) continue;
    const v = doc[def.name];
    if (v === undefined || v === "") throw invalid(`attribute "${def.name}" is required`);
  }
}

/** Validates and normalises a POST/PUT body; group `members` come back separately, never in `doc`. */
export function parseResource(
  rt: ResourceTypeDef,
  body: unknown,
  opts: ParseResourceOptions = {},
): { doc: ScimDoc; members?: string[] } {
  if (!isPlainObject(body)) throw badRequest("invalidSyntax", "request body must be a JSON object");
  assertNoForbiddenKeys(body);
  if (opts.requireSchemas !== false) assertSchemas(rt, body);
  const ctx: Ctx = { rt, policy: opts.unknownAttributes ?? "reject", doc: {} };
  let members: string[] | undefined;
  for (const key of Object.keys(body)) {
    if (rt.name === "Group" && key.toLowerCase() === "members") members = parseMembers(body[key]);
    else parseTopLevel(ctx, key, body[key]);
  }
  assertRequired(rt, ctx.doc);
  return members === undefined ? { doc: ctx.doc } : { doc: ctx.doc, members };
}

/** Re-validates a stored or patched doc by the POST rules (types, required, primary, limits); returns it normalised. */
export function validateDoc(rt: ResourceTypeDef, doc: ScimDoc): ScimDoc {
  const parsed = parseResource(rt, doc, { requireSchemas: false });
  // Docs never hold members (types.ts); reaching here with them is a caller bug, not a client error.
  if (parsed.members !== undefined) throw new Error("validateDoc: a group doc must not contain members");
  return parsed.doc;
}
