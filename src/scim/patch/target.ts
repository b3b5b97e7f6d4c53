/**
 * Resolution of a PATCH path (RFC 7644 §3.5.2 `attrPath / valuePath [subAttr]`) against a resource
 * type: which container (core or extension URN), attribute, sub-attribute and value filter it names.
 */
import { badRequest } from "../errors.js";
import type { Filter } from "../filter/ast.js";
import { parsePatchPath } from "../filter/parse.js";
import { FORBIDDEN_KEYS } from "../resource.js";
import {
  type AttributeDef,
  findAttribute,
  findExtension,
  findSubAttribute,
  type ResolvedAttribute,
  type ResourceTypeDef,
} from "../schema-defs.js";

/** A path naming an attribute, optionally narrowed by a value filter and/or a sub-attribute. */
export interface AttributeTarget {
  readonly kind: "attribute";
  /** Extension URN the attribute lives under, `undefined` for core attributes. */
  readonly ext: string | undefined;
  readonly def: AttributeDef;
  readonly sub: AttributeDef | undefined;
  readonly filter: Filter | undefined;
  /** The path as error details name it. */
  readonly label: string;
}

/** A path that is a bare extension URN: the whole extension object. */
export interface ExtensionTarget {
  readonly kind: "extension";
  readonly ext: string;
}

/** A path scimgate accepts and drops (`password`, which it never stores). */
export interface IgnoredTarget {
  readonly kind: "ignored";
}

/** Where a PATCH path points. */
export type PatchTarget = AttributeTarget | ExtensionTarget | IgnoredTarget;

/** Longest slice of a client path echoed in a forbidden-name error. */
const MAX_ECHO = 100;

const IGNORED_PATHS: ReadonlySet<string> = new Set(["password"]);

function assertNoForbiddenNames(text: string): void {
  // Quoted filter values are data, not names; only the names outside them could address a prototype.
  const names = text.replace(/"(?:[^"\\]|\\.)*"/g, '""').split(/[^A-Za-z0-9_$-]+/);
  const bad = names.find((n) => FORBIDDEN_KEYS.has(n));
  if (bad === undefined) return;
  const shown = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
  throw badRequest("invalidPath", `forbidden attribute name "${bad}" in path "${shown}"`);
}

function resolveAttribute(rt: ResourceTypeDef, attr: string, uri: string | undefined) {
  const found = findAttribute(rt, attr, uri);
  if (found !== undefined || uri !== undefined) return found;
  // The tutorial's "Example 5" patches path "manager" without the enterprise URN; a bare name that only
  // an extension defines is resolved there (RFC 7644 §3.10 leaves the URN prefix optional).
  for (const ext of rt.extensions) {
    const inExt = findAttribute(rt, attr, ext.id);
    if (inExt !== undefined) return inExt;
  }
  return undefined;
}

function unknownAttribute(name: string) {
  return badRequest("invalidPath", `unknown attribute "${name}"`);
}

function resolveSub(found: ResolvedAttribute, subName: string | undefined, base: string) {
  if (subName === undefined) return undefined;
  if (found.def.type !== "complex") {
    throw badRequest("invalidPath", `attribute "${base}" has no sub-attributes`);
  }
  const sub = findSubAttribute(found.def, subName);
  if (sub === undefined) throw unknownAttribute(`${base}.${subName}`);
  if (sub.mutability === "readOnly") {
    throw badRequest("mutability", `attribute "${base}.${sub.name}" is read-only`);
  }
  return sub;
}

/** Resolves a PATCH path; throws 400 invalidPath for unknown names and 400 mutability for read-only ones. */
export function resolveTarget(rt: ResourceTypeDef, text: string): PatchTarget {
  assertNoForbiddenNames(text);
  const ext = findExtension(rt, text.trim());
  if (ext !== undefined) return { kind: "extension", ext: ext.id };
  const parsed = parsePatchPath(text);
  const { uri, attr } = parsed.path;
  const found = resolveAttribute(rt, attr, uri);
  if (found === undefined) {
    if (IGNORED_PATHS.has(attr.toLowerCase()) && (uri === undefined || uri === rt.schema.id))
      return { kind: "ignored" };
    throw unknownAttribute(uri === undefined ? attr : `${uri}:${attr}`);
  }
  const base = found.extension === undefined ? found.def.name : `${found.extension}:${found.def.name}`;
  // RFC 7643 §2.2: readOnly attributes (id, meta, User groups) cannot be modified.
  if (found.def.mutability === "readOnly") throw badRequest("mutability", `attribute "${base}" is read-only`);
  if (rt.name === "Group" && found.def.name === "members") {
    throw new Error("applyPatch: member operations must be split out with splitGroupPatch first");
  }
  if (parsed.path.sub !== undefined && parsed.sub !== undefined)
    throw badRequest("invalidPath", `invalid path "${text}"`);
  if (parsed.filter !== undefined && !found.def.multiValued) {
    throw badRequest(
      "invalidPath",
      `attribute "${base}" is not multi-valued, so it cannot take a value filter`,
    );
  }
  const sub = resolveSub(found, parsed.path.sub ?? parsed.sub, base);
  const label = parsed.filter !== undefined ? text.trim() : sub === undefined ? base : `${base}.${sub.name}`;
  return { kind: "attribute", ext: found.extension, def: found.def, sub, filter: parsed.filter, label };
}
