/** CRUD of the attribute-mapping schema resource, as the Pulumi dynamic provider calls it. */
import { createGraphFromEnv } from "./credentials.js";
import { parseExpressions } from "./expression.js";
import type { ResourceDeps } from "./job-resource.js";
import type { ManagedTargets, SchemaSpec } from "./mapping-spec.js";
import { diffSchema } from "./schema-drift.js";
import { expressionsToParse, mergeSchema } from "./schema-merge.js";
import { getSchema, putSchema } from "./sync-job.js";

/** Inputs of the schema resource. */
export interface SchemaInputs {
  graphUrl: string;
  servicePrincipalId: string;
  jobId: string;
  spec: SchemaSpec;
}

/** Outputs of the schema resource. */
export interface SchemaOutputs extends SchemaInputs {
  /** Targets managed at the last apply, so a mapping dropped from the stack is removed next time. */
  managed: ManagedTargets;
  /** Changes the last apply made. */
  applied: string[];
  /** Drift the last read found (mappings edited by hand); empty after an apply. */
  drift: string[];
}

/**
 * Reads the job schema, merges the spec into it (keeping directories, metadata and unmanaged mappings)
 * and PUTs it back, only when something managed differs.
 */
export async function applySchemaResource(
  inputs: SchemaInputs,
  previous: ManagedTargets | undefined,
  deps: ResourceDeps = {},
): Promise<SchemaOutputs> {
  const graph = deps.graph ?? createGraphFromEnv(inputs.graphUrl, process.env, deps);
  const { servicePrincipalId: sp, jobId } = inputs;
  const current = await getSchema(graph, sp, jobId);
  const parsed = await parseExpressions(graph, sp, jobId, expressionsToParse(current, inputs.spec));
  const changes = diffSchema(current, inputs.spec, previous);
  const { schema, managed } = mergeSchema(current, inputs.spec, previous, parsed);
  if (changes.length > 0) await putSchema(graph, sp, jobId, schema, deps.retry);
  return { ...inputs, managed, applied: changes, drift: [] };
}

/** Reads the schema and records the drift from the spec (mappings edited by hand in the portal). */
export async function readSchemaResource(
  props: SchemaOutputs,
  deps: ResourceDeps = {},
): Promise<SchemaOutputs> {
  const graph = deps.graph ?? createGraphFromEnv(props.graphUrl, process.env, deps);
  const current = await getSchema(graph, props.servicePrincipalId, props.jobId);
  return { ...props, drift: diffSchema(current, props.spec, props.managed) };
}

/** Decides replace/update for the schema resource from old outputs and new inputs (pure). */
export function diffSchemaResource(
  olds: SchemaOutputs,
  news: SchemaInputs,
): { replaces: string[]; changes: string[] } {
  const replaces = (["servicePrincipalId", "jobId"] as const).filter((k) => olds[k] !== news[k]);
  const specChanged = JSON.stringify(olds.spec) !== JSON.stringify(news.spec);
  const changes = [...replaces, ...(specChanged || (olds.drift ?? []).length > 0 ? ["spec"] : [])];
  return { replaces, changes };
}
