/**
 * The source side of a cycle: attribute lookups over directory users and groups, and scope
 * (assignment + scoping filters; entra-scim-client.md §3 "Scope").
 */
import type { DirectoryGroup, DirectoryUser } from "../directory.js";
import type { EmulatorState, ServicePrincipal } from "../state.js";
import type { AttributeLookup } from "./evaluate.js";
import type { SourceValue } from "./expressions.js";
import type { ObjectMappingModel, ScopeClause } from "./schema-model.js";

function ciRecord(values: Record<string, SourceValue>): AttributeLookup {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name.toLowerCase()) ?? null;
}

/** Attribute lookup for a user; `IsSoftDeleted` is true when soft-deleted, disabled or out of scope (§3). */
export function userLookup(user: DirectoryUser, isSoftDeleted: boolean): AttributeLookup {
  const values: Record<string, SourceValue> = {};
  for (const [key, value] of Object.entries(user)) if (typeof value === "string") values[key] = value;
  values.objectId = user.id;
  values.accountEnabled = user.accountEnabled ? "True" : "False";
  values.IsSoftDeleted = isSoftDeleted ? "True" : "False";
  values.manager = user.managerId ?? null;
  return ciRecord(values);
}

/** Attribute lookup for a group; `members` is the list of direct member ids. */
export function groupLookup(group: DirectoryGroup): AttributeLookup {
  return ciRecord({
    objectId: group.id,
    displayName: group.displayName,
    mailNickname: group.mailNickname ?? null,
    description: group.description ?? null,
    IsSoftDeleted: "False",
    members: [...group.memberIds],
  });
}

/** Who is assigned to the app (SyncAll=false) or everyone (SyncAll=true). */
export class AssignmentScope {
  private readonly syncAll: boolean;
  private readonly assigned: Set<string>;

  constructor(
    private readonly state: EmulatorState,
    sp: ServicePrincipal,
  ) {
    // SyncAll "false" (the portal default) means assigned users and groups only (graph-synchronization.md §1.6).
    this.syncAll = state.secret(sp, "SyncAll")?.toLowerCase() === "true";
    this.assigned = new Set(state.assignmentsOf(sp.id).map((a) => a.principalId));
  }

  /** A group is in scope when assigned directly (nested groups are not expanded, §3). */
  groupAssigned(group: DirectoryGroup): boolean {
    return this.syncAll || this.assigned.has(group.id);
  }

  /** A user is in scope when assigned directly or a direct member of an assigned security group. */
  userAssigned(user: DirectoryUser): boolean {
    if (this.syncAll || this.assigned.has(user.id)) return true;
    return this.state.directory.groupsOf(user.id).some((g) => g.securityEnabled && this.assigned.has(g.id));
  }
}

/** Scoping-filter operators the engine evaluates (operatorName, case-insensitive; `_` reads as a space). */
export const SUPPORTED_SCOPE_OPERATORS = [
  "EQUALS",
  "NOT EQUALS",
  "IS TRUE",
  "IS FALSE",
  "IS NULL",
  "IS NOT NULL",
  "REGEX MATCH",
  "NOT REGEX MATCH",
  "GREATER THAN",
  "LESS THAN",
] as const;

function clauseMatches(clause: ScopeClause, lookup: AttributeLookup): boolean {
  const raw = lookup(clause.sourceOperandName);
  const value = typeof raw === "string" ? raw : (raw?.[0] ?? null);
  const targets = clause.targetOperand?.values ?? [];
  switch (clause.operatorName.toUpperCase().replaceAll("_", " ")) {
    case "EQUALS":
      return value !== null && targets.some((t) => t.toLowerCase() === value.toLowerCase());
    case "NOT EQUALS":
      return value === null || targets.every((t) => t.toLowerCase() !== value.toLowerCase());
    case "IS TRUE":
      return value?.toLowerCase() === "true";
    case "IS FALSE":
      return value?.toLowerCase() !== "true";
    case "IS NULL":
      return value === null || value === "";
    case "IS NOT NULL":
      return value !== null && value !== "";
    case "REGEX MATCH":
      return value !== null && targets.some((t) => new RegExp(t).test(value));
    case "NOT REGEX MATCH":
      return value === null || targets.every((t) => !new RegExp(t).test(value));
    case "GREATER THAN":
      return value !== null && Number(value) > Number(targets[0]);
    case "LESS THAN":
      return value !== null && Number(value) < Number(targets[0]);
    default:
      // Unknown operators never match, so a mistyped filter narrows scope instead of widening it.
      return false;
  }
}

/** Scoping filter: OR over groups, AND over the clauses of a group; no groups means in scope. */
export function passesScopingFilter(mapping: ObjectMappingModel, lookup: AttributeLookup): boolean {
  if (mapping.scopeGroups.length === 0) return true;
  return mapping.scopeGroups.some((clauses) => clauses.every((c) => clauseMatches(c, lookup)));
}
