import { badRequest } from "./errors.js";
import { findAttribute, findSubAttribute, type ResourceTypeDef, splitSchemaUri } from "./schema-defs.js";
import type { ScimDoc } from "./types.js";

/** The server-managed parts of a resource that the projection adds to its document. */
export interface ResourceMeta {
  readonly id: string;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  /** Absolute URL of the resource. */
  readonly location: string;
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) resolved to canonical keys. */
export interface Projection {
  /** Canonical top-level keys (an extension URN for its attributes) → sub-keys, or `true` for all. */
  readonly include?: ReadonlyMap<string, true | Set<string>>;
  readonly exclude?: ReadonlyMap<string, true | Set<string>>;
}

/** Most attribute names one `attributes`/`excludedAttributes` parameter may list. */
export const MAX_PROJECTION_ATTRIBUTES = 64;

/** The RFC 7644 §3.14 weak ETag of a version. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** Parses an `If-Match` value into the version it names; `*` → undefined (any version). */
export function parseIfMatch(header: string | undefined): number | undefined | "mismatch" {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "*") return undefined;
  const m = /^(?:W\/)?"(\d{1,15})"$/.exec(value);
  return m ? Number(m[1]) : "mismatch";
}

/** Resolves a comma-separated attribute list against a resource type; unknown names are a 400. */
export function parseAttributeList(
  rt: ResourceTypeDef,
  raw: string,
  param: string,
): Map<string, true | Set<string>> {
  const out = new Map<string, true | Set<string>>();
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length > MAX_PROJECTION_ATTRIBUTES) {
    throw badRequest("invalidValue", `${param} lists more than ${MAX_PROJECTION_ATTRIBUTES} attributes`);
  }
  for (const name of names) {
    // Microsoft's test collection writes `emails[type eq "work"]`; the filter part selects nothing extra.
    const [uri, rest] = splitSchemaUri(rt, name.replace(/\[.*\]$/, ""));
    const [attr = "", sub] = rest.split(".");
    const found = findAttribute(rt, attr, uri) ?? (uri ? undefined : findExtensionAttr(rt, attr));
    if (!found) throw badRequest("invalidValue", `${param}: unknown attribute "${name}"`);
    const key = found.extension ?? found.def.name;
    if (found.extension) {
      addKey(out, key, found.def.name);
      continue;
    }
    const subDef = sub === undefined ? undefined : findSubAttribute(found.def, sub);
    if (sub !== undefined && !subDef)
      throw badRequest("invalidValue", `${param}: unknown attribute "${name}"`);
    addKey(out, key, subDef?.name);
  }
  return out;
}

function findExtensionAttr(rt: ResourceTypeDef, attr: string) {
  for (const ext of rt.extensions) {
    const f = findAttribute(rt, attr, ext.id);
    if (f) return f;
  }
  return undefined;
}

function addKey(map: Map<string, true | Set<string>>, key: string, sub: string | undefined): void {
  const cur = map.get(key);
  if (cur === true) return;
  if (sub === undefined) {
    map.set(key, true);
    return;
  }
  map.set(key, (cur ?? new Set<string>()).add(sub));
}

/** Whether the projection keeps a top-level key (used to skip loading members or groups). */
export function wants(p: Projection, key: string): boolean {
  if (p.include) return p.include.has(key);
  return p.exclude?.get(key) !== true;
}

/** Builds the SCIM representation of a stored resource (RFC 7643 §3), applying a projection. */
export function renderResource(
  rt: ResourceTypeDef,
  meta: ResourceMeta,
  doc: ScimDoc,
  extra: ScimDoc,
  p: Projection = {},
): ScimDoc {
  const out: ScimDoc = { schemas: schemasOf(rt, doc), id: meta.id };
  for (const [key, value] of Object.entries({ ...doc, ...extra })) {
    const kept = project(key, value, p);
    if (kept !== undefined) out[key] = kept;
  }
  if (wants(p, "meta")) out.meta = metaAttribute(rt, meta);
  return out;
}

function metaAttribute(rt: ResourceTypeDef, meta: ResourceMeta): ScimDoc {
  return {
    resourceType: rt.name,
    created: meta.created,
    lastModified: meta.lastModified,
    location: meta.location,
    version: etagOf(meta.version),
  };
}

/** Where a store may keep a resource's document as the JSON text it stored (see renderResourceJson). */
export const RAW_DOC: unique symbol = Symbol("scimgate.rawDoc");

/** The stored JSON text of a resource's document, when its store kept it. */
export function rawDocOf(r: object): string | undefined {
  const raw = (r as { [RAW_DOC]?: unknown })[RAW_DOC];
  return typeof raw === "string" ? raw : undefined;
}

/** Excluding only these whole attributes never reaches into a stored document. */
const OUTSIDE_DOC = new Set(["members", "groups", "meta"]);

/**
 * `JSON.stringify(renderResource(…))` without parsing and re-serialising the document: the stored JSON
 * text is spliced in as is. Undefined when the projection selects inside the document (then render it).
 */
export function renderResourceJson(
  rt: ResourceTypeDef,
  meta: ResourceMeta,
  docJson: string,
  extra: ScimDoc,
  p: Projection = {},
): string | undefined {
  if (p.include) return undefined;
  for (const [key, sub] of p.exclude ?? []) if (sub !== true || !OUTSIDE_DOC.has(key)) return undefined;
  // Only top-level keys are followed by a colon right after their closing quote; a stored document
  // holds attribute names only, so this finds an extension exactly when schemasOf would.
  const exts = rt.extensions.filter((e) => docJson.includes(`${JSON.stringify(e.id)}:`)).map((e) => e.id);
  let out = `{"schemas":${JSON.stringify([rt.schema.id, ...exts])},"id":${JSON.stringify(meta.id)}`;
  if (docJson !== "{}") out += `,${docJson.slice(1, -1)}`;
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) out += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  if (wants(p, "meta")) out += `,"meta":${JSON.stringify(metaAttribute(rt, meta))}`;
  return `${out}}`;
}

function schemasOf(rt: ResourceTypeDef, doc: ScimDoc): string[] {
  return [rt.schema.id, ...rt.extensions.filter((e) => Object.hasOwn(doc, e.id)).map((e) => e.id)];
}

function project(key: string, value: unknown, p: Projection): unknown {
  const inc = p.include?.get(key);
  if (p.include && inc === undefined) return undefined;
  const exc = p.exclude?.get(key);
  if (exc === true) return undefined;
  let v = value;
  if (inc instanceof Set) v = pick(v, (k) => inc.has(k));
  if (exc instanceof Set) v = pick(v, (k) => !exc.has(k));
  return v;
}

/** Keeps the chosen sub-attributes of a complex value or of each element of a multi-valued one. */
function pick(value: unknown, keep: (k: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((e) => pick(e, keep));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value as ScimDoc).filter(([k]) => keep(k)));
}
