/** Dynamic resource activating the SAML token signing certificate; logic in src/entra/signing-key. */
import * as pulumi from "@pulumi/pulumi";
import type * as SigningModule from "../../src/entra/signing-key.js";
import { moduleLoader, SIGNING_KEY_MODULE } from "./modules.js";
import { GONE, hasUnknowns, type InputsOf, isNotFound } from "./provider-kit.js";

type Mod = typeof SigningModule;
type Inputs = SigningModule.SigningKeyInputs;
type Outputs = SigningModule.SigningKeyOutputs;

/** Builds the signing-key provider around a module loader (tests inject their own). */
export function createSigningKeyProvider(
  load: () => Promise<Mod>,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
  return {
    async create(inputs) {
      return {
        id: `${inputs.servicePrincipalId}/signing-key`,
        outs: await (await load()).activateSigningKey(inputs),
      };
    },
    async read(id, props) {
      try {
        return { id, props: await (await load()).readSigningKey(props!) };
      } catch (err) {
        // Only a 404 means gone; anything else (network, throttling) must not drop the resource from state.
        if (isNotFound(err)) return GONE;
        throw err;
      }
    },
    async diff(_id, olds, news) {
      if (hasUnknowns(news)) return { changes: true };
      if (olds.servicePrincipalId !== news.servicePrincipalId)
        return { changes: true, replaces: ["servicePrincipalId"] };
      return { changes: olds.thumbprint !== news.thumbprint || olds.activeThumbprint !== news.thumbprint };
    },
    async update(_id, _olds, news) {
      return { outs: await (await load()).activateSigningKey(news) };
    },
    async delete() {
      // Removing the certificate (azuread) or the app makes the setting moot.
    },
  };
}

/** Makes a token signing certificate the active one (`preferredTokenSigningKeyThumbprint`). */
export class SigningKeyActivation extends pulumi.dynamic.Resource {
  declare readonly activeThumbprint: pulumi.Output<string | null>;

  constructor(name: string, args: InputsOf<Inputs>, opts?: pulumi.CustomResourceOptions) {
    const provider = createSigningKeyProvider(moduleLoader<Mod>(SIGNING_KEY_MODULE));
    super(provider, name, { ...args, activeThumbprint: undefined }, opts, "scimgate", "SigningKeyActivation");
  }
}
