/**
 * SCIM attribute paths as Entra's mappings name them (`userName`, `name.givenName`,
 * `emails[type eq "work"].value`, `urn:…:enterprise:2.0:User:department`): reading a value out of a
 * resource and writing the POST body (entra-scim-client.md §1.2, §1.4).
 */

/** A parsed target attribute path. */
export interface TargetPath {
  /** Extension schema URN when the attribute lives under one. */
  urn?: string;
  attribute: string;
  /** `type` value of a filtered multi-valued path. */
  filterType?: string;
  subAttribute?: string;
}

/** Parses a mapping's target attribute name; unknown shapes fall back to a plain top-level attribute. */
export function parseTargetPath(path: string): TargetPath {
  let rest = path;
  let urn: string | undefined;
  if (path.toLowerCase().startsWith("urn:")) {
    const cut = path.lastIndexOf(":");
    urn = path.slice(0, cut);
    rest = path.slice(cut + 1);
  }
  const m = /^([\w$]+)(?:\[type eq "([^"]*)"\])?(?:\.([\w$]+))?$/i.exec(rest);
  if (!m) return { urn, attribute: rest };
  return { urn, attribute: m[1]!, filterType: m[2], subAttribute: m[3] };
}

function ciGet(obj: unknown, key: string): unknown {
  if (typeof obj !== "object" || obj === null) return undefined;
  const record = obj as Record<string, unknown>;
  if (key in record) return record[key];
  const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : record[found];
}

/** Reads a target attribute from a SCIM resource as text (booleans as "True"/"False", complex manager by `value`). */
export function readTargetValue(resource: unknown, path: string): string | null {
  const p = parseTargetPath(path);
  const container = p.urn ? ciGet(resource, p.urn) : resource;
  let value = ciGet(container, p.attribute);
  if (p.filterType !== undefined) {
    const list = Array.isArray(value) ? value : [];
    value = list.find((v) => String(ciGet(v, "type") ?? "").toLowerCase() === p.filterType!.toLowerCase());
  }
  if (p.subAttribute) value = ciGet(value, p.subAttribute);
  else if (typeof value === "object" && value !== null && !Array.isArray(value))
    value = ciGet(value, "value");
  return normalizeScalar(value);
}

/** Normalizes a scalar for comparison: null/undefined/"" → null, booleans → "True"/"False". */
export function normalizeScalar(value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string" && /^(true|false)$/i.test(value))
    return value.toLowerCase() === "true" ? "True" : "False";
  if (typeof value === "object") return null;
  return String(value);
}

function elementFor(body: Record<string, unknown>, attribute: string, type: string): Record<string, unknown> {
  if (!Array.isArray(body[attribute])) body[attribute] = [];
  const list = body[attribute] as Record<string, unknown>[];
  let element = list.find((e) => e.type === type);
  if (!element) {
    element = type === "work" && attribute !== "phoneNumbers" ? { primary: true, type } : { type };
    list.push(element);
  }
  return element;
}

function child(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (typeof existing === "object" && existing !== null && !Array.isArray(existing))
    return existing as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

/** Writes one attribute into a POST body (creating nested and multi-valued containers as Entra does). */
export function writeTargetValue(body: Record<string, unknown>, path: string, value: unknown): void {
  const p = parseTargetPath(path);
  const container = p.urn ? child(body, p.urn) : body;
  if (p.filterType !== undefined) {
    elementFor(container, p.attribute, p.filterType)[p.subAttribute ?? "value"] = value;
  } else if (p.subAttribute) {
    child(container, p.attribute)[p.subAttribute] = value;
  } else {
    container[p.attribute] = value;
  }
}

/** True for target attributes that are references written after both objects exist (manager, members; §3). */
export function isReferenceTarget(path: string): boolean {
  const p = parseTargetPath(path);
  return !p.filterType && !p.subAttribute && (p.attribute === "manager" || p.attribute === "members");
}
