/**
 * Reads what the engine needs out of a job's synchronization schema (graph-synchronization.md §1.10):
 * the user and group object mappings, their attribute mappings, matching attributes, scoping filters and flow types.
 */
import type { AttributeMapping } from "../default-schema.js";
import { SUPPORTED_FUNCTIONS } from "./evaluate.js";
import { type MappingSource, parseExpression } from "./expressions.js";

/** A scoping filter clause (`filterClause`). */
export interface ScopeClause {
  operatorName: string;
  sourceOperandName: string;
  targetOperand?: { values?: string[] } | null;
}

/** An object mapping as the engine uses it. */
export interface ObjectMappingModel {
  name: string;
  enabled: boolean;
  sourceObjectName: string;
  targetObjectName: string;
  flowTypes: Set<string>;
  attributeMappings: AttributeMapping[];
  /** Scoping filter groups: OR of groups, AND of clauses inside a group; empty means everything is in scope. */
  scopeGroups: ScopeClause[][];
}

interface RawObjectMapping {
  name?: string;
  enabled?: boolean;
  sourceObjectName?: string;
  targetObjectName?: string;
  flowTypes?: string;
  attributeMappings?: AttributeMapping[];
  scope?: {
    groups?: { clauses?: ScopeClause[] }[];
    inputFilterGroups?: { clauses?: ScopeClause[] }[];
  } | null;
}

/** Accepts a source written only as `expression` text by parsing it into the structured form. */
export function normalizeSource(source: MappingSource | null): MappingSource | null {
  if (!source) return null;
  const needsParse =
    source.type === "Function" && (source.parameters ?? []).length === 0 && source.expression;
  return needsParse ? parseExpression(source.expression!) : source;
}

function rawMappings(schema: unknown): { ruleId: string; mapping: RawObjectMapping }[] {
  const rules = ((schema as { synchronizationRules?: unknown[] })?.synchronizationRules ?? []) as {
    id?: string;
    objectMappings?: RawObjectMapping[];
  }[];
  return rules.flatMap((rule) =>
    (rule.objectMappings ?? []).map((mapping) => ({ ruleId: rule.id ?? "", mapping })),
  );
}

/** The enabled object mapping whose source object is `User` or `Group`, if any. */
export function findObjectMapping(
  schema: unknown,
  sourceObjectName: "User" | "Group",
): ObjectMappingModel | undefined {
  const found = rawMappings(schema).find(
    ({ mapping }) =>
      mapping.sourceObjectName?.toLowerCase() === sourceObjectName.toLowerCase() && mapping.enabled !== false,
  )?.mapping;
  if (!found) return undefined;
  const groups = [...(found.scope?.groups ?? []), ...(found.scope?.inputFilterGroups ?? [])];
  return {
    name: found.name ?? "",
    enabled: found.enabled !== false,
    sourceObjectName: found.sourceObjectName ?? sourceObjectName,
    targetObjectName: found.targetObjectName ?? "",
    flowTypes: new Set((found.flowTypes ?? "Add, Update, Delete").split(",").map((f) => f.trim())),
    attributeMappings: (found.attributeMappings ?? []).map((m) => ({
      ...m,
      source: normalizeSource(m.source),
    })),
    scopeGroups: groups.map((g) => g.clauses ?? []).filter((c) => c.length > 0),
  };
}

/** The rule ids of the schema (provisionOnDemand's `ruleId` must be one of them, §1.9). */
export function ruleIds(schema: unknown): string[] {
  return ((schema as { synchronizationRules?: { id?: string }[] })?.synchronizationRules ?? []).map(
    (r) => r.id ?? "",
  );
}

/** Matching mappings sorted by precedence (matchingPriority 1 first; 0 means "not matching", §1.10). */
export function matchingMappings(mapping: ObjectMappingModel): AttributeMapping[] {
  return mapping.attributeMappings
    .filter((m) => m.matchingPriority > 0)
    .sort((a, b) => a.matchingPriority - b.matchingPriority);
}

/** The target attribute of the user mapping's first matching attribute (used by Test Connection, §2.1). */
export function primaryMatchingAttribute(schema: unknown): string | undefined {
  const users = findObjectMapping(schema, "User");
  return users ? matchingMappings(users)[0]?.targetAttributeName : undefined;
}

function checkSource(source: MappingSource | null | undefined, where: string): string | undefined {
  if (source?.type !== "Function") return undefined;
  const name = source.name ?? "";
  if (!SUPPORTED_FUNCTIONS.some((f) => f.toLowerCase() === name.toLowerCase())) {
    return `Attribute mapping '${where}' uses the function '${name}', which is not a known expression function.`;
  }
  for (const p of source.parameters ?? []) {
    const problem = checkSource(p.value, where);
    if (problem) return problem;
  }
  return undefined;
}

/** Checks that every expression in a schema parses and names a known function; returns the first problem. */
export function checkSchemaExpressions(schema: unknown): string | undefined {
  for (const { mapping } of rawMappings(schema)) {
    for (const m of mapping.attributeMappings ?? []) {
      try {
        const problem = checkSource(normalizeSource(m.source), m.targetAttributeName ?? "");
        if (problem) return problem;
      } catch (error) {
        return `Attribute mapping '${m.targetAttributeName}' has an invalid expression: ${(error as Error).message}`;
      }
    }
  }
  return undefined;
}
