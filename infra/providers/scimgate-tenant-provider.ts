/** Dynamic resources for the scimgate side: tenant, access key, role mappings; logic in src/entra/scimgate-tenant. */
import * as pulumi from "@pulumi/pulumi";
import type * as TenantModule from "../../src/entra/scimgate-tenant.js";
import { moduleLoader, TENANT_RESOURCE_MODULE } from "./modules.js";
import { GONE, hasUnknowns, type InputsOf } from "./provider-kit.js";

type Mod = typeof TenantModule;
type P<I, O> = pulumi.dynamic.ResourceProvider<I, O>;
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Builds the tenant provider around a module loader. */
export function createTenantProvider(
  load: () => Promise<Mod>,
): P<TenantModule.TenantInputs, TenantModule.TenantOutputs> {
  return {
    async create(inputs) {
      const outs = await (await load()).createTenantResource(inputs);
      return { id: outs.tenantId, outs };
    },
    async read(id, props) {
      const outs = await (await load()).readTenantResource(props!);
      return outs ? { id, props: outs } : GONE;
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      const replaces = olds.adminUrl !== news.adminUrl ? ["adminUrl"] : [];
      if (replaces.length > 0 || olds.name !== news.name || olds.jit !== news.jit)
        return { changes: true, replaces };
      // A tenant deleted outside Pulumi is recreated; a JIT flag flipped by hand is set back.
      const live = await (await load()).readTenantResource(olds).catch(() => olds);
      if (!live) return { changes: true, replaces: ["name"] };
      return { changes: live.jit !== news.jit || live.name !== news.name, replaces: [] };
    },
    async update(_id, olds, news) {
      return { outs: await (await load()).updateTenantResource(olds, news) };
    },
    async delete(_id, props) {
      await (await load()).deleteTenantResource(props);
    },
  };
}

/**
 * Builds the access-key provider. A rotation replaces the key create-before-delete, so the engine
 * revokes the old key only after the job's secrets (which depend on the new token) were saved.
 */
export function createKeyProvider(
  load: () => Promise<Mod>,
): P<TenantModule.KeyInputs, TenantModule.KeyOutputs> {
  return {
    async create(inputs) {
      const outs = await (await load()).createKeyResource(inputs);
      return { id: outs.keyId, outs };
    },
    async read(id, props) {
      const outs = await (await load()).readKeyResource(props!);
      return outs ? { id, props: outs } : GONE;
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      const keys = ["tenantId", "rotation", "description", "expiresInDays", "adminUrl"] as const;
      const replaces: string[] = keys.filter((k) => !same(olds[k], news[k]));
      // A key revoked or expired outside Pulumi is replaced, and the job gets the new token.
      if (replaces.length === 0 && !(await (await load()).readKeyResource(olds).catch(() => olds)))
        replaces.push("rotation");
      return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async delete(_id, props) {
      await (await load()).deleteKeyResource(props);
    },
  };
}

/** Builds the role-mapping provider (declarative whole-document PUT). */
export function createRoleMappingProvider(
  load: () => Promise<Mod>,
): P<TenantModule.RoleMappingInputs, TenantModule.RoleMappingOutputs> {
  return {
    async create(inputs) {
      return { id: `${inputs.tenantId}/role-mappings`, outs: await (await load()).applyRoleMappings(inputs) };
    },
    async read(id, props) {
      return { id, props: await (await load()).readRoleMappings(props!) };
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      if (olds.tenantId !== news.tenantId) return { changes: true, replaces: ["tenantId"] };
      return { changes: olds.drift === true || !same(olds.document, news.document) };
    },
    async update(_id, _olds, news) {
      return { outs: await (await load()).applyRoleMappings(news) };
    },
    async delete() {
      // Deleting the tenant deletes its role mappings.
    },
  };
}

const load = moduleLoader<Mod>(TENANT_RESOURCE_MODULE);
const SECRET_TOKEN = { additionalSecretOutputs: ["adminToken"] };

/** A scimgate tenant. */
export class ScimgateTenant extends pulumi.dynamic.Resource {
  declare readonly tenantId: pulumi.Output<string>;
  declare readonly scimUrl: pulumi.Output<string>;

  constructor(name: string, args: InputsOf<TenantModule.TenantInputs>, opts?: pulumi.CustomResourceOptions) {
    const props = { ...args, tenantId: undefined, scimUrl: undefined };
    super(createTenantProvider(load), name, props, { ...opts, ...SECRET_TOKEN }, "scimgate", "Tenant");
  }
}

/** A tenant access key; `token` (`<ProjectID>:<AccessKey>`) is a secret output. */
export class ScimgateAccessKey extends pulumi.dynamic.Resource {
  declare readonly keyId: pulumi.Output<string>;
  declare readonly token: pulumi.Output<string>;

  constructor(name: string, args: InputsOf<TenantModule.KeyInputs>, opts?: pulumi.CustomResourceOptions) {
    const props = { ...args, keyId: undefined, token: undefined, expiresAt: undefined };
    const secrets = { additionalSecretOutputs: ["adminToken", "token"] };
    super(createKeyProvider(load), name, props, { ...opts, ...secrets }, "scimgate", "AccessKey");
  }
}

/** The tenant's roles and group-to-role mappings. */
export class ScimgateRoleMappings extends pulumi.dynamic.Resource {
  declare readonly drift: pulumi.Output<boolean>;

  constructor(
    name: string,
    args: InputsOf<TenantModule.RoleMappingInputs>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const props = { ...args, normalized: undefined, drift: undefined };
    super(
      createRoleMappingProvider(load),
      name,
      props,
      { ...opts, ...SECRET_TOKEN },
      "scimgate",
      "RoleMappings",
    );
  }
}
