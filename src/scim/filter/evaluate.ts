/**
 * The in-memory filter evaluator: used for PATCH value filters (`emails[type eq "work"]`,
 * `members[value eq "id"]`) and wherever a store filters resources in memory.
 *
 * A filter is first compiled against the schema: every attribute is resolved (case-insensitively,
 * RFC 7643 §2.1) and every operator checked against the attribute's type, so an unknown attribute or an
 * undefined operator is a 400 invalidFilter whatever the data, not only when evaluation reaches it.
 *
 * Semantics (RFC 7644 §3.4.2.2):
 * - a multi-valued attribute matches if ANY of its values matches; `emails eq "x"` compares the
 *   implicit `value` sub-attribute, as does `manager eq "id"` (Entra's manager lookup);
 * - `pr` is true for a value that is not null, "" or an empty array/object;
 * - `ne` is true when the attribute has no value, or when any value differs; `eq null` is "not present";
 * - an unqualified name not in the core schema is looked up in the extensions, because Entra's
 *   manager lookup writes `manager eq <id>` without the enterprise URN;
 * - values are read with `Object.hasOwn` only, by schema-canonical names, so `__proto__` or
 *   `constructor` in a filter is an unknown attribute and never reaches an inherited property.
 */
import { badRequest, type SCIMError } from "../errors.js";
import {
  type AttributeDef,
  findAttribute,
  findSubAttribute,
  type ResolvedAttribute,
  type ResourceTypeDef,
} from "../schema-defs.js";
import type { AttrPath, CompareNode, Filter, ValuePathNode } from "./ast.js";
import { formatAttrPath } from "./attr-path.js";
import { buildValueTest } from "./compare.js";

/** A compiled filter: whether one resource (or one element of a multi-valued attribute) matches. */
export type FilterPredicate = (target: unknown) => boolean;

/** A resolved attribute: its definition and how to read its raw value from the scope's object. */
interface Resolved {
  readonly def: AttributeDef;
  readonly read: (target: unknown) => unknown;
}

/** Where paths are resolved: a whole resource, or one element of a multi-valued complex attribute. */
interface Scope {
  readonly resolve: (path: AttrPath) => Resolved;
  /** Value paths do not nest (RFC 7644 §3.4.2.2), so only the resource scope allows them. */
  readonly allowsValuePath: boolean;
}

/** Whether a SCIM resource (canonical attribute names, extensions under their URN) matches `filter`. */
export function matchesResource(
  rt: ResourceTypeDef,
  resource: Record<string, unknown>,
  filter: Filter,
): boolean {
  return compileFilter(rt, filter)(resource);
}

/**
 * Whether one element of the multi-valued complex attribute `parent` (e.g. one of `emails`) matches
 * a value-path filter whose paths are sub-attribute names (`type eq "work"`).
 */
export function matchesElement(parent: AttributeDef, element: unknown, filter: Filter): boolean {
  return compileElementFilter(parent, filter)(element);
}

/** Compiles `filter` once for testing many resources of `rt`; throws 400 invalidFilter if it is invalid. */
export function compileFilter(rt: ResourceTypeDef, filter: Filter): FilterPredicate {
  return compileNode(filter, resourceScope(rt));
}

/** Compiles a value-path filter once for testing many elements of `parent`; throws 400 invalidFilter. */
export function compileElementFilter(parent: AttributeDef, filter: Filter): FilterPredicate {
  return compileNode(filter, elementScope(parent));
}

function compileNode(f: Filter, scope: Scope): FilterPredicate {
  switch (f.type) {
    case "and": {
      const parts = f.filters.map((child) => compileNode(child, scope));
      return (t) => parts.every((p) => p(t));
    }
    case "or": {
      const parts = f.filters.map((child) => compileNode(child, scope));
      return (t) => parts.some((p) => p(t));
    }
    case "not": {
      const inner = compileNode(f.filter, scope);
      return (t) => !inner(t);
    }
    case "present": {
      const { values } = compileValues(scope, f.path, false);
      return (t) => values(t).some(isPresent);
    }
    case "compare":
      return compileCompare(scope, f);
    case "valuePath":
      return compileValuePath(scope, f);
  }
}

function compileCompare(scope: Scope, f: CompareNode): FilterPredicate {
  const label = formatAttrPath(f.path);
  const { def, values } = compileValues(scope, f.path, true);
  if (f.value === null) {
    // `eq null` / `ne null` test absence / presence (as scimmy's fixtures do); nothing else compares with null.
    if (f.op === "eq") return (t) => !values(t).some(isPresent);
    if (f.op === "ne") return (t) => values(t).some(isPresent);
    throw badRequest("invalidFilter", `operator "${f.op}" cannot compare "${label}" with null`);
  }
  const test = buildValueTest(def, f.op === "ne" ? "eq" : f.op, f.value, label);
  if (f.op !== "ne") return (t) => values(t).some(test);
  return (t) => {
    const present = values(t).filter(isPresent);
    return present.length === 0 || present.some((v) => !test(v));
  };
}

function compileValuePath(scope: Scope, f: ValuePathNode): FilterPredicate {
  const label = formatAttrPath(f.path);
  if (!scope.allowsValuePath)
    throw badRequest("invalidFilter", `nested value path "${label}[...]" in filter`);
  const base = scope.resolve(f.path);
  if (f.path.sub !== undefined || base.def.type !== "complex") {
    throw badRequest(
      "invalidFilter",
      `"${label}" is not a complex attribute, so "${label}[...]" cannot filter it`,
    );
  }
  const inner = compileNode(f.filter, elementScope(base.def));
  return (t) => toList(base.read(t)).some(inner);
}

/**
 * Resolves a path to its leaf definition and a reader of all its values in a target. With
 * `implicitValue`, a complex attribute without `.sub` means its `value` sub-attribute (RFC 7644 §3.4.2.2).
 */
function compileValues(scope: Scope, path: AttrPath, implicitValue: boolean) {
  const base = scope.resolve(path);
  const subName = path.sub ?? (implicitValue && base.def.type === "complex" ? "value" : undefined);
  if (subName === undefined) return { def: base.def, values: (t: unknown) => toList(base.read(t)) };
  const sub = findSubAttribute(base.def, subName);
  if (sub === undefined && path.sub !== undefined) throw unknownAttribute(path);
  if (sub === undefined) {
    const label = formatAttrPath(path);
    throw badRequest(
      "invalidFilter",
      `complex attribute "${label}" cannot be compared; name a sub-attribute`,
    );
  }
  const values = (t: unknown) => toList(base.read(t)).flatMap((el) => toList(ownGet(el, sub.name)));
  return { def: sub, values };
}

function resourceScope(rt: ResourceTypeDef): Scope {
  const resolve = (path: AttrPath): Resolved => {
    const found = findAttribute(rt, path.attr, path.uri) ?? findInExtensions(rt, path);
    if (found === undefined) throw unknownAttribute(path);
    const { extension, def } = found;
    const container = (t: unknown) => (extension === undefined ? t : ownGet(t, extension));
    return { def, read: (t) => ownGet(container(t), def.name) };
  };
  return { resolve, allowsValuePath: true };
}

/** An unqualified name that only an extension defines (Entra's `manager eq <id>`); first extension wins. */
function findInExtensions(rt: ResourceTypeDef, path: AttrPath): ResolvedAttribute | undefined {
  if (path.uri !== undefined) return undefined;
  for (const ext of rt.extensions) {
    const found = findAttribute(rt, path.attr, ext.id);
    if (found !== undefined) return found;
  }
  return undefined;
}

function elementScope(parent: AttributeDef): Scope {
  const resolve = (path: AttrPath): Resolved => {
    const def = path.uri === undefined ? findSubAttribute(parent, path.attr) : undefined;
    if (def === undefined) {
      throw badRequest(
        "invalidFilter",
        `unknown attribute "${formatAttrPath(path)}" of "${parent.name}" in filter`,
      );
    }
    return { def, read: (t) => ownGet(t, def.name) };
  };
  return { resolve, allowsValuePath: false };
}

function unknownAttribute(path: AttrPath): SCIMError {
  return badRequest("invalidFilter", `unknown attribute "${formatAttrPath(path)}" in filter`);
}

/** An own property of a plain object; never an inherited one, never an array index. */
function ownGet(target: unknown, key: string): unknown {
  if (typeof target !== "object" || target === null || Array.isArray(target)) return undefined;
  return Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
}

function toList(value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}
