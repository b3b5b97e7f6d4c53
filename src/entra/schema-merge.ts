/** Pure merge of a mapping spec into a job schema (keeping every part it does not manage) and drift diff. */
import { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS } from "./default-mappings.js";
import { parseMappingExpression } from "./expression.js";
import type {
  ManagedTargets,
  MappingSpec,
  ObjectMappingSpec,
  SchemaSpec,
  ScopeGroupSpec,
} from "./mapping-spec.js";
import type {
  AttributeMapping,
  MappingSource,
  ObjectMapping,
  ScopeFilter,
  SyncSchema,
} from "./sync-types.js";

/** Parsed expression sources by expression text (from Graph's parseExpression), used for new Function mappings. */
export type ParsedExpressions = ReadonlyMap<string, MappingSource>;

/** Result of a merge: the schema to PUT and the targets now managed. */
export interface MergeResult {
  schema: SyncSchema;
  managed: ManagedTargets;
}

const sameTarget = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Defaults plus overrides minus removals, keyed by target in declaration order. */
export function resolveMappings(defaults: readonly MappingSpec[], spec: ObjectMappingSpec): MappingSpec[] {
  const out: MappingSpec[] = [];
  const removed = (t: string) => spec.remove.some((r) => sameTarget(r, t));
  for (const m of [...defaults, ...spec.mappings]) {
    if (removed(m.target)) continue;
    const i = out.findIndex((o) => sameTarget(o.target, m.target));
    if (i >= 0) out[i] = m;
    else out.push(m);
  }
  return out;
}

/** Removes whitespace outside string literals so `Join(" ",[a])` equals `Join(" ", [a])`. */
export function normalizeExpression(expr: string): string {
  return expr.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_m, lit: string | undefined) => lit ?? "");
}

/** Builds the attributeMappingSource for a spec, reusing `existing` when it already means the same. */
export function buildSource(
  spec: MappingSpec,
  existing: MappingSource | null | undefined,
  parsed?: ParsedExpressions,
) {
  if (spec.source !== undefined) {
    if (existing?.type === "Attribute" && existing.name === spec.source) return existing;
    return { expression: `[${spec.source}]`, name: spec.source, parameters: [], type: "Attribute" };
  }
  if (spec.constant !== undefined) {
    if (existing?.type === "Constant" && existing.name === spec.constant) return existing;
    return {
      expression: JSON.stringify(spec.constant),
      name: spec.constant,
      parameters: [],
      type: "Constant",
    };
  }
  const expr = spec.expression ?? "";
  if (
    existing?.type === "Function" &&
    normalizeExpression(existing.expression ?? "") === normalizeExpression(expr)
  )
    return existing;
  return parsed?.get(expr) ?? parseMappingExpression(expr);
}

function buildMapping(spec: MappingSpec, existing: AttributeMapping | undefined, parsed?: ParsedExpressions) {
  const base: AttributeMapping = existing ?? {
    targetAttributeName: spec.target,
    source: null,
    defaultValue: null,
    exportMissingReferences: false,
    flowBehavior: "FlowWhenChanged",
    flowType: "Always",
    matchingPriority: 0,
  };
  return {
    ...base,
    source: buildSource(spec, existing?.source, parsed),
    defaultValue: spec.defaultValue ?? null,
    flowType: spec.flowType ?? "Always",
  } satisfies AttributeMapping;
}

/** Builds a Graph scope filter from spec groups, keeping the filter's other parts. */
export function buildScope(
  groups: ScopeGroupSpec[],
  current: ScopeFilter | null | undefined,
): ScopeFilter | null {
  if (groups.length === 0 && !current?.groups?.length) return current ?? null;
  return {
    ...(current ?? {}),
    categoryFilterGroups: current?.categoryFilterGroups ?? [],
    inputFilterGroups: current?.inputFilterGroups ?? [],
    groups: groups.map((g, i) => ({
      name: g.name ?? `scimgate-${i + 1}`,
      clauses: g.clauses.map((c) => ({
        operatorName: c.operator,
        sourceOperandName: c.attribute,
        targetOperand: { values: [...c.values] },
      })),
    })),
  };
}

/** Applies one object-mapping spec; targets managed before but no longer wanted are removed. */
export function mergeObjectMapping(
  om: ObjectMapping,
  desired: MappingSpec[],
  spec: ObjectMappingSpec,
  previouslyManaged: string[],
  parsed?: ParsedExpressions,
): ObjectMapping {
  const wanted = (t: string) => desired.some((d) => sameTarget(d.target, t));
  const drop = (t: string) =>
    !wanted(t) && [...spec.remove, ...previouslyManaged].some((r) => sameTarget(r, t));
  const mappings = om.attributeMappings.filter((m) => !drop(m.targetAttributeName));
  for (const d of desired) {
    const i = mappings.findIndex((m) => sameTarget(m.targetAttributeName, d.target));
    const next = buildMapping(d, i >= 0 ? mappings[i] : undefined, parsed);
    if (i >= 0) mappings[i] = next;
    else mappings.push(next);
  }
  const matched = mappings.map((m) => ({
    ...m,
    matchingPriority: sameTarget(m.targetAttributeName, spec.matchingAttribute) ? 1 : 0,
  }));
  return {
    ...om,
    enabled: spec.enabled,
    scope: buildScope(spec.scopingFilter, om.scope),
    attributeMappings: matched,
  };
}

/** Finds the user or group object mapping of the Entra-to-app rule; throws when the schema has none. */
export function findObjectMapping(schema: SyncSchema, objectName: "User" | "Group"): [number, number] {
  for (const [ri, rule] of schema.synchronizationRules.entries()) {
    const oi = rule.objectMappings.findIndex((o) => o.sourceObjectName === objectName);
    if (oi >= 0) return [ri, oi];
  }
  throw new Error(`the synchronization schema has no object mapping for source object ${objectName}`);
}

/** Validates that the matching attribute of a spec is one of its mapped targets. */
export function validateMatching(kind: string, desired: MappingSpec[], spec: ObjectMappingSpec): void {
  if (!desired.some((d) => sameTarget(d.target, spec.matchingAttribute)))
    throw new Error(
      `${kind} matching attribute "${spec.matchingAttribute}" is not a mapped target attribute`,
    );
}

/** Strips OData annotations (e.g. @odata.context) that a GET returns but a PUT body must not carry. */
export function stripODataAnnotations(schema: SyncSchema): SyncSchema {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !k.startsWith("@odata."))) as SyncSchema;
}

/** Merges the spec into the schema; every rule, directory and mapping it does not manage is kept as is. */
export function mergeSchema(
  current: SyncSchema,
  spec: SchemaSpec,
  previous: ManagedTargets = { users: [], groups: [] },
  parsed?: ParsedExpressions,
): MergeResult {
  const schema = structuredClone(stripODataAnnotations(current));
  const users = resolveMappings(DEFAULT_USER_MAPPINGS, spec.users);
  const groups = resolveMappings(DEFAULT_GROUP_MAPPINGS, spec.groups);
  validateMatching("user", users, spec.users);
  validateMatching("group", groups, spec.groups);
  for (const [name, desired, s, prev] of [
    ["User", users, spec.users, previous.users],
    ["Group", groups, spec.groups, previous.groups],
  ] as const) {
    const [ri, oi] = findObjectMapping(schema, name);
    const rule = schema.synchronizationRules[ri]!;
    rule.objectMappings[oi] = mergeObjectMapping(rule.objectMappings[oi]!, desired, s, prev, parsed);
  }
  return { schema, managed: { users: users.map((m) => m.target), groups: groups.map((m) => m.target) } };
}

/** Expressions of the spec that the current schema does not already carry (to parse through Graph). */
export function expressionsToParse(current: SyncSchema, spec: SchemaSpec): string[] {
  const out = new Set<string>();
  for (const [name, defaults, s] of [
    ["User", DEFAULT_USER_MAPPINGS, spec.users],
    ["Group", DEFAULT_GROUP_MAPPINGS, spec.groups],
  ] as const) {
    const [ri, oi] = findObjectMapping(current, name);
    const om = current.synchronizationRules[ri]!.objectMappings[oi]!;
    for (const m of resolveMappings(defaults, s)) {
      if (m.expression === undefined) continue;
      const have = om.attributeMappings.find((a) => sameTarget(a.targetAttributeName, m.target))?.source;
      if (buildSource(m, have) !== have) out.add(m.expression);
    }
  }
  return [...out];
}
