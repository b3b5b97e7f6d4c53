/** The only reader of pulumi.Config: parses `scimgate:*` keys into one frozen StackConfig (see stack-config.ts). */
import * as pulumi from "@pulumi/pulumi";
import { KEYS, NAMESPACE, parseStackConfig, type StackConfig } from "./stack-config.js";

export { type GroupConfig, parseStackConfig, type StackConfig, StackConfigError } from "./stack-config.js";

/** Reads the stack's config through pulumi.Config; `adminToken` stays a secret Output. */
export function loadStackConfig(): { config: StackConfig; adminToken: pulumi.Output<string> | undefined } {
  const cfg = new pulumi.Config(NAMESPACE);
  const raw: Record<string, unknown> = {};
  for (const k of Object.keys(KEYS)) {
    const value = cfg.get(k);
    if (value !== undefined) raw[k] = value;
  }
  return { config: parseStackConfig(raw), adminToken: cfg.getSecret("adminToken") };
}
