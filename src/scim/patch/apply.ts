/**
 * `applyPatch`: RFC 7644 §3.5.2 add/replace/remove over a `ScimDoc`, with every Entra deviation the
 * reference notes describe (string booleans, path-less dotted/URN keys, filter-miss creation, bare
 * manager ids, "" and null to clear). Pure: the input doc is never mutated.
 */
import { badRequest } from "../errors.js";
import { matchesElement } from "../filter/evaluate.js";
import {
  FORBIDDEN_KEYS,
  forbiddenKey,
  isManager,
  isPlainObject,
  MAX_MULTI_VALUES,
  parseAttributeValue,
  parseElementValue,
  validateDoc,
} from "../resource.js";
import { findExtension, type ResourceTypeDef } from "../schema-defs.js";
import { cloneJson, type PatchOperation, type ScimDoc } from "../types.js";
import {
  appendUnique,
  demoteOtherPrimaries,
  elementFromFilter,
  filterTerms,
  matchesCriterion,
  withoutSub,
} from "./multi-valued.js";
import { type AttributeTarget, resolveTarget } from "./target.js";

type Obj = Record<string, unknown>;
type Op = PatchOperation["op"];

function containerOf(doc: ScimDoc, ext: string | undefined): Obj {
  if (ext === undefined) return doc;
  const existing = doc[ext];
  if (isPlainObject(existing)) return existing;
  // Emptied extension objects are pruned by validateDoc at the end.
  const created: Obj = {};
  doc[ext] = created;
  return created;
}

function listOf(container: Obj, name: string): unknown[] {
  const value = container[name];
  return Array.isArray(value) ? [...value] : [];
}

/** Stores a list, enforcing MAX_MULTI_VALUES per operation so a request cannot grow it unboundedly. */
function putList(c: Obj, t: AttributeTarget, list: unknown[]): void {
  if (list.length > MAX_MULTI_VALUES) {
    throw badRequest("invalidValue", `attribute "${t.label}" has more than ${MAX_MULTI_VALUES} values`);
  }
  c[t.def.name] = list;
}

function matches(t: AttributeTarget, element: unknown): boolean {
  return t.filter !== undefined && isPlainObject(element) && matchesElement(t.def, element, t.filter);
}

function setSingle(doc: ScimDoc, t: AttributeTarget, op: Op, value: unknown): void {
  const c = containerOf(doc, t.ext);
  const name = t.def.name;
  const v = parseAttributeValue(t.def, value, t.label);
  if (v === undefined) {
    delete c[name];
    return;
  }
  const old = c[name];
  // RFC 7644 §3.5.2.1: add on a complex attribute merges the given sub-attributes. The manager is
  // replaced whole, so a new manager id never keeps the previous manager's $ref.
  const merge = op === "add" && isPlainObject(old) && isPlainObject(v) && !isManager(t.def);
  c[name] = merge ? { ...old, ...v } : v;
}

function setMulti(doc: ScimDoc, t: AttributeTarget, op: Op, value: unknown): void {
  const c = containerOf(doc, t.ext);
  const name = t.def.name;
  // A single object for a multi-valued attribute is wrapped (RFC 7644 §3.5.2.3 examples and scimmy's).
  const list = parseAttributeValue(t.def, value, t.label, { wrapSingle: true }) as unknown[] | undefined;
  if (list === undefined) {
    if (op === "replace") delete c[name];
    return;
  }
  // RFC 7644 §3.5.2.3: replace without a filter replaces every value (Entra's
  // AssertiveAppRoleAssignmentsComplex sends the full roles list this way).
  if (op === "replace") {
    c[name] = list;
    return;
  }
  const { merged, touched } = appendUnique(listOf(c, name), list);
  putList(c, t, demoteOtherPrimaries(merged, touched));
}

function setSub(
  doc: ScimDoc,
  t: AttributeTarget,
  sub: NonNullable<AttributeTarget["sub"]>,
  value: unknown,
): void {
  const c = containerOf(doc, t.ext);
  const v = parseElementValue(sub, value, t.label);
  if (!t.def.multiValued) {
    c[t.def.name] = { ...(isPlainObject(c[t.def.name]) ? (c[t.def.name] as Obj) : {}), [sub.name]: v };
    return;
  }
  // `emails.value` without a filter addresses every value; with none yet, it creates one.
  const list = listOf(c, t.def.name);
  const next = list.length === 0 ? [{ [sub.name]: v }] : list.map((e) => ({ ...(e as Obj), [sub.name]: v }));
  c[t.def.name] = next;
}

function updateElement(t: AttributeTarget, op: Op, element: unknown, v: unknown): unknown {
  if (t.sub !== undefined) return { ...(element as Obj), [t.sub.name]: v };
  // add merges into the matching value (RFC 7644 §3.5.2.1). replace swaps it (§3.5.2.3), keeping the
  // filter's eq terms so the new value still matches: replacing twice equals replacing once.
  if (op === "add") return { ...(element as Obj), ...(v as Obj) };
  return { ...filterTerms(t.def, t.filter!), ...cloneJson(v as Obj) };
}

function setFiltered(doc: ScimDoc, t: AttributeTarget, op: Op, value: unknown): void {
  const v = parseElementValue(t.sub ?? t.def, value, t.label);
  if (v === undefined) {
    removeAt(doc, t, undefined);
    return;
  }
  const c = containerOf(doc, t.ext);
  const touched = new Set<unknown>();
  const next = listOf(c, t.def.name).map((element) => {
    if (!matches(t, element)) return element;
    const updated = updateElement(t, op, element, v);
    touched.add(updated);
    return updated;
  });
  if (touched.size === 0) {
    // Entra: a filter that matches nothing creates the element, for add and replace alike.
    const created = {
      ...elementFromFilter(t.def, t.filter!, t.label),
      ...(t.sub ? { [t.sub.name]: v } : (v as Obj)),
    };
    next.push(created);
    touched.add(created);
  }
  putList(c, t, demoteOtherPrimaries(next, touched));
}

function setAt(doc: ScimDoc, t: AttributeTarget, op: Op, value: unknown): void {
  if (t.filter !== undefined) setFiltered(doc, t, op, value);
  else if (t.sub !== undefined) setSub(doc, t, t.sub, value);
  else if (t.def.multiValued) setMulti(doc, t, op, value);
  else setSingle(doc, t, op, value);
}

function removeByValue(c: Obj, t: AttributeTarget, value: unknown): void {
  // RFC 7644 leaves this open; scimmy (and Entra for members) remove the values that equal the given ones.
  const raw = Array.isArray(value) ? value : [value];
  const criteria = raw
    .map((v, i) => parseElementValue(t.def, v, `${t.label}[${i}]`))
    .filter((v) => v !== undefined);
  c[t.def.name] = listOf(c, t.def.name).filter((e) => !criteria.some((crit) => matchesCriterion(e, crit)));
}

function removeAt(doc: ScimDoc, t: AttributeTarget, value: unknown): void {
  const c = containerOf(doc, t.ext);
  const name = t.def.name;
  const sub = t.sub?.name;
  if (t.def.multiValued && (t.filter !== undefined || sub !== undefined)) {
    // With a filter only matching values are touched; `emails.value` alone touches every value.
    const hit = (e: unknown) => t.filter === undefined || matches(t, e);
    const kept = listOf(c, name).map((e) =>
      !hit(e) ? e : sub === undefined ? undefined : withoutSub(e, sub),
    );
    c[name] = kept.filter((e) => e !== undefined);
  } else if (sub !== undefined) {
    if (isPlainObject(c[name])) c[name] = withoutSub(c[name], sub) ?? {};
  } else if (t.def.multiValued && value !== undefined && value !== null && value !== "") {
    removeByValue(c, t, value);
  } else {
    delete c[name];
  }
}

function applyExtension(rt: ResourceTypeDef, doc: ScimDoc, op: Op, ext: string, value: unknown): void {
  if (op === "remove" || value === null || value === "") {
    delete doc[ext];
    return;
  }
  if (!isPlainObject(value)) throw badRequest("invalidValue", `attribute "${ext}" must be an object`);
  // Each key of the extension object is an attribute of that extension (RFC 7644 §3.5.2, path-less form).
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key, ext);
    applyOperation(rt, doc, { op, path: `${ext}:${key}`, value: value[key] });
  }
}

function applyPathless(rt: ResourceTypeDef, doc: ScimDoc, op: PatchOperation): void {
  const value = op.value;
  if (!isPlainObject(value)) {
    throw badRequest("invalidValue", `a path-less "${op.op}" operation needs an object "value"`);
  }
  // With ?aadOptscim062020 Entra batches scalars into one path-less op whose keys are paths:
  // "name.givenName", "urn:…:enterprise:2.0:User:employeeNumber", or a nested URN object.
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key);
    if (key.toLowerCase() === "schemas") continue;
    const ext = findExtension(rt, key);
    if (ext !== undefined) applyExtension(rt, doc, op.op, ext.id, value[key]);
    else applyOperation(rt, doc, { op: op.op, path: key, value: value[key] });
  }
}

function applyOperation(rt: ResourceTypeDef, doc: ScimDoc, op: PatchOperation): void {
  if (op.path === undefined) {
    applyPathless(rt, doc, op);
    return;
  }
  const target = resolveTarget(rt, op.path);
  if (target.kind === "ignored") return;
  if (target.kind === "extension") applyExtension(rt, doc, op.op, target.ext, op.value);
  else if (op.op === "remove") removeAt(doc, target, op.value);
  // Entra's null-update test sends "" and then null to clear an attribute.
  else if (op.value === "" || op.value === null || op.value === undefined) removeAt(doc, target, undefined);
  else setAt(doc, target, op.op, op.value);
}

/** Applies PATCH operations to a doc and returns the new, re-validated doc; the input is not mutated. */
export function applyPatch(rt: ResourceTypeDef, doc: ScimDoc, ops: readonly PatchOperation[]): ScimDoc {
  const out = cloneJson(doc);
  for (const op of ops) applyOperation(rt, out, op);
  return validateDoc(rt, out);
}
