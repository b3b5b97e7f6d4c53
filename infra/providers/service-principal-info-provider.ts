/** Dynamic resource reading the template app's service principal with retries; logic in src/entra. */
import * as pulumi from "@pulumi/pulumi";
import type * as InfoModule from "../../src/entra/service-principal-info.js";
import { moduleLoader, SP_INFO_MODULE } from "./modules.js";
import { GONE, hasUnknowns, type InputsOf, isNotFound } from "./provider-kit.js";

type Mod = typeof InfoModule;
type Inputs = InfoModule.ServicePrincipalInfoInputs;
type Outputs = InfoModule.ServicePrincipalInfoOutputs;

/** Builds the lookup provider around a module loader (tests inject their own). */
export function createServicePrincipalInfoProvider(
  load: () => Promise<Mod>,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  return {
    async create(inputs) {
      return { id: inputs.servicePrincipalId, outs: await (await load()).readServicePrincipalInfo(inputs) };
    },
    async read(id, props) {
      try {
        return { id, props: await (await load()).readServicePrincipalInfo(props!, {}) };
      } catch (err) {
        if (isNotFound(err)) return GONE;
        throw err;
      }
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      const replaces = olds.servicePrincipalId !== news.servicePrincipalId ? ["servicePrincipalId"] : [];
      return { changes: replaces.length > 0 || olds.graphUrl !== news.graphUrl, replaces };
    },
    async update(_id, _olds, news) {
      return { outs: await (await load()).readServicePrincipalInfo(news) };
    },
    async delete() {
      // A lookup owns nothing.
    },
  };
}

/** The service principal's appId and User role id, read once it has replicated (an invoke would fail on 404). */
export class ServicePrincipalInfo extends pulumi.dynamic.Resource {
  declare readonly appId: pulumi.Output<string>;
  declare readonly userRoleId: pulumi.Output<string>;

  constructor(name: string, args: InputsOf<Inputs>, opts?: pulumi.CustomResourceOptions) {
    const provider = createServicePrincipalInfoProvider(moduleLoader<Mod>(SP_INFO_MODULE));
    super(
      provider,
      name,
      { ...args, appId: undefined, userRoleId: undefined },
      opts,
      "scimgate",
      "ServicePrincipalInfo",
    );
  }
}
