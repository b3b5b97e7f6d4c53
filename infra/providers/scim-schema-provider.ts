/** Dynamic resource for the job's attribute mappings; logic in src/entra/schema-resource. */
import * as pulumi from "@pulumi/pulumi";
import type * as SchemaModule from "../../src/entra/schema-resource.js";
import { moduleLoader, SCHEMA_RESOURCE_MODULE } from "./modules.js";
import { GONE, hasUnknowns, type InputsOf, isNotFound } from "./provider-kit.js";

type Mod = typeof SchemaModule;
type Inputs = SchemaModule.SchemaInputs;
type Outputs = SchemaModule.SchemaOutputs;

/** Builds the schema provider around a module loader (tests inject their own). */
export function createSchemaProvider(
  load: () => Promise<Mod>,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  return {
    async create(inputs) {
      return {
        id: `${inputs.jobId}/schema`,
        outs: await (await load()).applySchemaResource(inputs, undefined),
      };
    },
    async read(id, props) {
      try {
        return { id, props: await (await load()).readSchemaResource(props!) };
      } catch (err) {
        // Only a 404 means gone; anything else (network, throttling) must not drop the resource from state.
        if (isNotFound(err)) return GONE;
        throw err;
      }
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      const m = await load();
      const d = m.diffSchemaResource(olds, news);
      if (d.changes.length > 0) return { changes: true, replaces: d.replaces };
      // Mappings edited by hand in the portal are drift even without a refresh.
      const live = await m.readSchemaResource({ ...olds, ...news }).catch(() => undefined);
      return { changes: (live?.drift.length ?? 0) > 0 };
    },
    async update(_id, olds, news) {
      const previous = olds.jobId === news.jobId ? olds.managed : undefined;
      return { outs: await (await load()).applySchemaResource(news, previous) };
    },
    async delete() {
      // Deleting the job deletes its schema; a schema alone cannot be removed.
    },
  };
}

/** The user and group attribute mappings, scoping filters and matching attributes of the job. */
export class ScimSchema extends pulumi.dynamic.Resource {
  declare readonly managed: pulumi.Output<{ users: string[]; groups: string[] }>;
  declare readonly applied: pulumi.Output<string[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: InputsOf<Inputs>, opts?: pulumi.CustomResourceOptions) {
    const outs = { managed: undefined, applied: undefined, drift: undefined };
    super(
      createSchemaProvider(moduleLoader<Mod>(SCHEMA_RESOURCE_MODULE)),
      name,
      { ...args, ...outs },
      opts,
      "scimgate",
      "ScimSchema",
    );
  }
}
