/** Graph credentials from the environment: a pre-acquired token, or DefaultAzureCredential. */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { createGraphClient, type Graph, type GraphClientOptions } from "./graph-client.js";

/** Environment variable holding a pre-acquired Graph bearer token (e.g. from `az account get-access-token`). */
export const GRAPH_TOKEN_ENV = "SCIMGATE_GRAPH_TOKEN";

/**
 * DefaultAzureCredential loaded on first use, so workload identity federation (CI), managed identity or
 * the az CLI work; set AZURE_AUTHORITY_HOST for national clouds.
 */
export class LazyDefaultCredential implements TokenCredential {
  private inner?: Promise<TokenCredential>;
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.inner ??= import("@azure/identity").then((m) => new m.DefaultAzureCredential());
    return (await this.inner).getToken(scopes, options);
  }
}

/** Creates a Graph client for `graphUrl`, authenticating from the environment. */
export function createGraphFromEnv(
  graphUrl: string,
  env: NodeJS.ProcessEnv = process.env,
  extra: Pick<GraphClientOptions, "fetch" | "retry"> = {},
): Graph {
  const token = env[GRAPH_TOKEN_ENV];
  if (token) return createGraphClient({ graphUrl, token, ...extra });
  return createGraphClient({ graphUrl, credential: new LazyDefaultCredential(), ...extra });
}
