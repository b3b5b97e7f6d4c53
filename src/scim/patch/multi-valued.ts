/**
 * Helpers for PATCH on multi-valued attributes: value identity, append with de-duplication, the
 * RFC 7644 §3.5.2 primary rule, and building the element an Entra filtered path implies.
 */
import { createHash } from "node:crypto";
import { badRequest } from "../errors.js";
import type { Filter } from "../filter/ast.js";
import { isPlainObject, parseElementValue } from "../resource.js";
import { type AttributeDef, findSubAttribute } from "../schema-defs.js";

type Obj = Record<string, unknown>;

/** A key equal for JSON-equal values regardless of object key order. */
function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/**
 * Identities of elements already seen. applyPatch never writes to an element in place (every change
 * makes a new object), so a cached identity stays right and each element is serialised once per
 * request, not once per operation.
 */
const identityCache = new WeakMap<object, string>();

/**
 * A short identity for a value: the SHA-256 of its stable key. Map keys must stay short because V8
 * hashes strings longer than 16383 characters by length alone, so 16 KiB values would all collide
 * and make de-duplication quadratic (1000 ops × 100 values took seconds before this).
 */
function identityOf(value: unknown): string {
  const cached = typeof value === "object" && value !== null ? identityCache.get(value) : undefined;
  if (cached !== undefined) return cached;
  const identity = createHash("sha256").update(stableKey(value)).digest("base64");
  if (typeof value === "object" && value !== null) identityCache.set(value, identity);
  return identity;
}

/** Appends `added` to `existing`, skipping values identical to one already present (RFC 7644 §3.5.2.1). */
export function appendUnique(existing: readonly unknown[], added: readonly unknown[]) {
  const byKey = new Map<string, unknown>(existing.map((e) => [identityOf(e), e]));
  const merged = [...existing];
  const touched = new Set<unknown>();
  for (const element of added) {
    const key = identityOf(element);
    const hit = byKey.get(key);
    if (hit !== undefined) {
      touched.add(hit);
      continue;
    }
    merged.push(element);
    byKey.set(key, element);
    touched.add(element);
  }
  return { merged, touched };
}

function isPrimary(element: unknown): boolean {
  return isPlainObject(element) && element.primary === true;
}

/**
 * RFC 7644 §3.5.2: setting "primary" to true on a value sets it to false on every other value, so the
 * elements this operation wrote (`touched`) keep their flag and the rest are demoted.
 */
export function demoteOtherPrimaries(list: readonly unknown[], touched: ReadonlySet<unknown>): unknown[] {
  if (![...touched].some(isPrimary)) return [...list];
  return list.map((e) => (touched.has(e) || !isPrimary(e) ? e : { ...(e as Obj), primary: false }));
}

function termsOf(def: AttributeDef, filter: Filter, out: Obj): boolean {
  if (filter.type === "and") return filter.filters.every((f) => termsOf(def, f, out));
  if (filter.type !== "compare" || filter.op !== "eq" || filter.path.uri !== undefined) return false;
  if (filter.path.sub !== undefined) return false;
  const sub = findSubAttribute(def, filter.path.attr);
  if (sub === undefined) return false;
  const value = parseElementValue(sub, filter.value, `${def.name}.${sub.name}`);
  if (value !== undefined) out[sub.name] = value;
  return true;
}

/** The attributes a filter's `eq` terms (joined by `and`) pin down; `undefined` for any other filter. */
export function filterTerms(def: AttributeDef, filter: Filter): Obj | undefined {
  const terms: Obj = {};
  return termsOf(def, filter, terms) ? terms : undefined;
}

/**
 * The element a filtered path describes: Entra sends `emails[type eq "work"].value` and relies on it
 * creating the work email when none exists (not RFC 7644 `noTarget`), so the filter's `eq` terms
 * become attributes of the new element. Filters that are not `eq` terms joined by `and` are noTarget.
 */
export function elementFromFilter(def: AttributeDef, filter: Filter, label: string): Obj {
  const terms = filterTerms(def, filter);
  if (terms === undefined) {
    throw badRequest(
      "noTarget",
      `no value matches "${label}", and only "eq" filters joined by "and" can create one`,
    );
  }
  return terms;
}

/** Sub-attributes that only qualify a value; an element left with nothing else is dropped. */
const QUALIFIERS: ReadonlySet<string> = new Set(["type", "primary"]);

/** Removes sub-attribute `name` from an element; `undefined` when only qualifiers (type, primary) remain. */
export function withoutSub(element: unknown, name: string): unknown {
  if (!isPlainObject(element)) return element;
  const rest: Obj = {};
  for (const key of Object.keys(element)) if (key !== name) rest[key] = element[key];
  // Entra's null-update test clears emails[type eq "work"].value and expects it to read back empty;
  // a leftover {"type":"work"} would still be a (valueless) work email.
  return Object.keys(rest).some((k) => !QUALIFIERS.has(k)) ? rest : undefined;
}

/** True when every attribute of `criterion` equals the element's (used by remove-by-value). */
export function matchesCriterion(element: unknown, criterion: unknown): boolean {
  if (!isPlainObject(element) || !isPlainObject(criterion))
    return stableKey(element) === stableKey(criterion);
  return Object.keys(criterion).every(
    (k) => Object.hasOwn(element, k) && stableKey(element[k]) === stableKey(criterion[k]),
  );
}
