import { z } from "zod";
import type { RoleConfig, RoleMapping } from "../store/store.js";

/** Longest role name. */
export const MAX_ROLE_NAME = 100;
/** Most roles, mappings, or roles per mapping in one document. */
export const MAX_ROLE_ITEMS = 1000;

const roleName = z
  .string()
  .min(1, "a role name cannot be empty")
  .max(MAX_ROLE_NAME)
  .regex(/^[^\s,][^,]*$/, "a role name cannot start with a space or contain a comma");

const groupRef = z.union([
  z.strictObject({ externalId: z.string().min(1).max(256) }),
  z.strictObject({ displayName: z.string().min(1).max(256) }),
]);

/** The declarative role document (admin API body, `roles set -f` file, Pulumi input). */
export const RoleConfigSchema = z.strictObject({
  roles: z
    .array(z.strictObject({ name: roleName, description: z.string().max(1000).optional() }))
    .max(MAX_ROLE_ITEMS),
  defaultRoles: z.array(roleName).max(MAX_ROLE_ITEMS).default([]),
  mappings: z
    .array(z.strictObject({ group: groupRef, roles: z.array(roleName).min(1).max(MAX_ROLE_ITEMS) }))
    .max(MAX_ROLE_ITEMS)
    .default([]),
});

/** A role document that failed validation, with one message per problem. */
export class RoleConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "RoleConfigError";
  }
}

function groupKey(m: RoleMapping): string {
  return "externalId" in m.group
    ? `externalId:${m.group.externalId}`
    : `displayName:${m.group.displayName.toLowerCase()}`;
}

/**
 * Validates and normalises a role document: roles and role lists sorted and de-duplicated, mappings
 * sorted, so that the same intent is the same document (idempotent apply). A mapping or default that
 * names an undefined role, or two mappings for the same group, is refused.
 */
export function parseRoleConfig(input: unknown): RoleConfig {
  const parsed = RoleConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new RoleConfigError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "document"}: ${i.message}`),
    );
  }
  const doc = parsed.data;
  const problems: string[] = [];
  const names = new Set<string>();
  for (const r of doc.roles) {
    if (names.has(r.name)) problems.push(`roles: "${r.name}" is defined twice`);
    names.add(r.name);
  }
  const check = (where: string, role: string) => {
    if (!names.has(role)) problems.push(`${where}: unknown role "${role}"; define it under roles first`);
  };
  for (const r of doc.defaultRoles) check("defaultRoles", r);
  const seen = new Set<string>();
  doc.mappings.forEach((m, i) => {
    for (const r of m.roles) check(`mappings.${i}`, r);
    const key = groupKey(m);
    if (seen.has(key))
      problems.push(`mappings.${i}: group ${key} is mapped twice; list all its roles in one mapping`);
    seen.add(key);
  });
  if (problems.length > 0) throw new RoleConfigError(problems);
  return normalize(doc);
}

function sortedUnique(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}

function normalize(doc: z.infer<typeof RoleConfigSchema>): RoleConfig {
  return {
    roles: [...doc.roles]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) =>
        r.description === undefined ? { name: r.name } : { name: r.name, description: r.description },
      ),
    defaultRoles: sortedUnique(doc.defaultRoles),
    mappings: doc.mappings
      .map((m) => ({ group: m.group, roles: sortedUnique(m.roles) }))
      .sort((a, b) => groupKey(a).localeCompare(groupKey(b))),
  };
}

/** A group as role resolution sees it. */
export interface GroupFacts {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
}

/** Whether a mapping names this group: by externalId (exact; survives renames) or displayName (case-insensitive). */
export function mappingMatches(m: RoleMapping, g: GroupFacts): boolean {
  if ("externalId" in m.group) return g.externalId !== null && g.externalId === m.group.externalId;
  return g.displayName.toLowerCase() === m.group.displayName.toLowerCase();
}

/** Effective roles: the default roles plus the union of the roles mapped to each direct group. */
export function resolveRoles(config: RoleConfig, groups: readonly GroupFacts[]): string[] {
  const roles = new Set(config.defaultRoles);
  for (const m of config.mappings) {
    if (groups.some((g) => mappingMatches(m, g))) for (const r of m.roles) roles.add(r);
  }
  return [...roles].sort();
}
