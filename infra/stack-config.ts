/** Pure parsing of the stack config (`scimgate:*` keys) into one frozen StackConfig; no Pulumi imports, so the CLI sandbox can use it. */
import type { z } from "zod";
import { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS } from "../src/entra/default-mappings.js";
import { parseMappingExpression } from "../src/entra/expression.js";
import { GRAPH_CLOUDS } from "../src/entra/graph-client.js";
import type { SchemaSpec } from "../src/entra/mapping-spec.js";
import { resolveMappings } from "../src/entra/schema-merge.js";
import {
  appSchema,
  graphSchema,
  groupSchema,
  provisioningSchema,
  rolesSchema,
  serviceSchema,
  tenantSchema,
} from "./config-schema.js";

/** Config namespace (the Pulumi project name). */
export const NAMESPACE = "scimgate";

/** The stack config keys and their schemas; `adminToken` (secret) is read separately. */
export const KEYS = {
  tenant: tenantSchema,
  service: serviceSchema,
  graph: graphSchema,
  app: appSchema,
  groups: groupSchema.array().default([]),
  roles: rolesSchema,
  provisioning: provisioningSchema,
} as const;

const REQUIRED = new Set(["tenant", "service", "app"]);

type Group = z.output<typeof groupSchema>;

/** One group of the stack with its stable key (used in resource names and role mappings). */
export type GroupConfig = Group & { key: string };

/** The parsed, frozen stack config. */
export interface StackConfig {
  tenant: z.output<typeof tenantSchema>;
  service: z.output<typeof serviceSchema>;
  /** Versioned Graph base URL, from `graph.url` or `graph.cloud`. */
  graphUrl: string;
  app: z.output<typeof appSchema>;
  groups: GroupConfig[];
  roles: z.output<typeof rolesSchema>;
  provisioning: Omit<z.output<typeof provisioningSchema>, "users" | "groups"> & SchemaSpec;
}

/** Invalid stack config; the message lists every problem with its key and the fix. */
export class StackConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

function formatPath(key: string, path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${String(p)}`),
    `${NAMESPACE}:${key}`,
  );
}

function decode(key: string, value: unknown, problems: string[]): unknown {
  if (typeof value !== "string" || key === "adminToken") return value;
  try {
    return JSON.parse(value);
  } catch {
    problems.push(
      `\`${NAMESPACE}:${key}\`: is not valid JSON/YAML structured config; write it as a YAML map or list`,
    );
    return undefined;
  }
}

function parseKeys(raw: Record<string, unknown>, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(raw))
    if (!(k in KEYS) && k !== "adminToken")
      problems.push(
        `\`${NAMESPACE}:${k}\`: unknown key; valid keys are ${Object.keys(KEYS).join(", ")}, adminToken`,
      );
  for (const [k, schema] of Object.entries(KEYS)) {
    const value = decode(k, raw[k], problems);
    if (value === undefined && REQUIRED.has(k)) {
      problems.push(
        `\`${NAMESPACE}:${k}\`: is required; add it to the stack file (see stacks/Pulumi.example.yaml)`,
      );
      continue;
    }
    const r = (schema as z.ZodType).safeParse(value);
    if (r.success) out[k] = r.data;
    else for (const i of r.error.issues) problems.push(`\`${formatPath(k, i.path)}\`: ${i.message}`);
  }
  return out;
}

function groupKey(g: Group): string {
  if (g.key) return g.key;
  if (g.objectId) return g.objectId.toLowerCase();
  return g
    .displayName!.toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function checkGroups(groups: GroupConfig[], roles: Set<string>, problems: string[]): void {
  const seen = new Set<string>();
  groups.forEach((g, i) => {
    if (seen.has(g.key))
      problems.push(
        `\`${NAMESPACE}:groups[${i}].key\`: "${g.key}" is used twice; give each group a distinct \`key\``,
      );
    seen.add(g.key);
    for (const r of g.roles)
      if (!roles.has(r))
        problems.push(
          `\`${NAMESPACE}:groups[${i}].roles\`: role "${r}" is not defined; add it to \`${NAMESPACE}:roles.definitions\``,
        );
  });
}

function checkMappings(spec: SchemaSpec, problems: string[]): void {
  for (const [kind, defaults] of [
    ["users", DEFAULT_USER_MAPPINGS],
    ["groups", DEFAULT_GROUP_MAPPINGS],
  ] as const) {
    const s = spec[kind];
    const resolved = resolveMappings(defaults, s);
    const where = `${NAMESPACE}:provisioning.${kind}`;
    if (!resolved.some((m) => m.target.toLowerCase() === s.matchingAttribute.toLowerCase()))
      problems.push(
        `\`${where}.matchingAttribute\`: "${s.matchingAttribute}" is not a mapped target; map it or pick another`,
      );
    s.mappings.forEach((m, i) => {
      if (m.expression === undefined) return;
      try {
        parseMappingExpression(m.expression);
      } catch (err) {
        problems.push(
          `\`${where}.mappings[${i}].expression\`: ${(err as Error).message}; fix the expression syntax`,
        );
      }
    });
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Parses raw config values (objects or JSON strings, keys without the namespace) into a frozen StackConfig. */
export function parseStackConfig(raw: Record<string, unknown>): StackConfig {
  const problems: string[] = [];
  const v = parseKeys(raw, problems) as Record<string, unknown>;
  if (problems.length > 0) throw new StackConfigError(problems);
  const roles = v.roles as StackConfig["roles"];
  const groups = (v.groups as Group[]).map((g) => ({ ...g, key: groupKey(g) }));
  const defined = new Set(roles.definitions.map((d) => d.name));
  checkGroups(groups, defined, problems);
  for (const r of roles.defaultRoles)
    if (!defined.has(r))
      problems.push(
        `\`${NAMESPACE}:roles.defaultRoles\`: role "${r}" is not defined; add it to \`${NAMESPACE}:roles.definitions\``,
      );
  const provisioning = v.provisioning as StackConfig["provisioning"];
  checkMappings(provisioning, problems);
  if (problems.length > 0) throw new StackConfigError(problems);
  const graph = v.graph as z.output<typeof graphSchema>;
  return deepFreeze({
    tenant: v.tenant as StackConfig["tenant"],
    service: v.service as StackConfig["service"],
    graphUrl: graph.url ?? GRAPH_CLOUDS[graph.cloud],
    app: v.app as StackConfig["app"],
    groups,
    roles,
    provisioning,
  });
}

/** Reads the `scimgate:*` config of a stack file's parsed YAML (secure values are skipped). */
export function rawConfigFromStackFile(doc: unknown): Record<string, unknown> {
  const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith(`${NAMESPACE}:`)) continue;
    if (v && typeof v === "object" && "secure" in v) continue;
    out[k.slice(NAMESPACE.length + 1)] = v;
  }
  return out;
}
