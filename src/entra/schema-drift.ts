/** Pure drift detection: what a merge would change in the managed parts of a job schema. */
import type { ManagedTargets, SchemaSpec } from "./mapping-spec.js";
import { findObjectMapping, mergeSchema, normalizeExpression } from "./schema-merge.js";
import type { AttributeMapping, ObjectMapping, ScopeFilter, SyncSchema } from "./sync-types.js";

/** A canonical one-line form of an attribute mapping, for comparison and display. */
export function describeMapping(m: AttributeMapping): string {
  const s = m.source;
  const src = !s
    ? "(none)"
    : s.type === "Attribute"
      ? `[${s.name}]`
      : s.type === "Constant"
        ? JSON.stringify(s.name)
        : normalizeExpression(s.expression ?? "");
  const extras = [
    m.flowType && m.flowType !== "Always" ? `flow=${m.flowType}` : "",
    m.defaultValue ? `default=${JSON.stringify(m.defaultValue)}` : "",
    m.matchingPriority ? `matching=${m.matchingPriority}` : "",
  ].filter(Boolean);
  return `${m.targetAttributeName} <- ${src}${extras.length ? ` (${extras.join(", ")})` : ""}`;
}

function describeScope(f: ScopeFilter | null | undefined): string {
  const groups = f?.groups ?? [];
  if (groups.length === 0) return "(none)";
  return groups
    .map((g) =>
      g.clauses
        .map((c) => `${c.sourceOperandName} ${c.operatorName} ${(c.targetOperand?.values ?? []).join("|")}`)
        .join(" AND "),
    )
    .join(" OR ");
}

function mappingIndex(om: ObjectMapping): Map<string, string> {
  return new Map(om.attributeMappings.map((m) => [m.targetAttributeName.toLowerCase(), describeMapping(m)]));
}

/** Lists differences between two versions of one object mapping, prefixed with `label`. */
export function diffObjectMapping(label: string, before: ObjectMapping, after: ObjectMapping): string[] {
  const out: string[] = [];
  if (before.enabled !== after.enabled) out.push(`${label}: enabled ${before.enabled} -> ${after.enabled}`);
  const [sb, sa] = [describeScope(before.scope), describeScope(after.scope)];
  if (sb !== sa) out.push(`${label}: scoping filter ${sb} -> ${sa}`);
  const [b, a] = [mappingIndex(before), mappingIndex(after)];
  for (const [t, d] of b) if (!a.has(t)) out.push(`${label}: remove ${d}`);
  for (const [t, d] of a) {
    const old = b.get(t);
    if (old === undefined) out.push(`${label}: add ${d}`);
    else if (old !== d) out.push(`${label}: change ${old} -> ${d}`);
  }
  return out;
}

/** The changes applying `spec` to `current` would make; empty when the managed parts match (no drift). */
export function diffSchema(current: SyncSchema, spec: SchemaSpec, previous?: ManagedTargets): string[] {
  const { schema } = mergeSchema(current, spec, previous);
  const out: string[] = [];
  for (const [name, label] of [
    ["User", "users"],
    ["Group", "groups"],
  ] as const) {
    const [ri, oi] = findObjectMapping(current, name);
    const before = current.synchronizationRules[ri]!.objectMappings[oi]!;
    const after = schema.synchronizationRules[ri]!.objectMappings[oi]!;
    out.push(...diffObjectMapping(label, before, after));
  }
  return out;
}
