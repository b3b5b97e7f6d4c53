/* biome-ignore-all lint/suspicious/noExplicitAny: Graph test payloads are arbitrary JSON */
/**
 * Test helper: a tiny Graph caller against a running emulator (bearer token included).
 */
import type { GraphEmulator } from "../../src/emulator/server.js";

/** A parsed Graph response. */
export interface GraphResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** Calls the emulator's Graph API; `body` is JSON-encoded unless it is a string. */
export async function graph(
  em: GraphEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<GraphResponse> {
  const init: RequestInit = {
    method,
    headers: { authorization: "Bearer test-token", "content-type": "application/json", ...headers },
  };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetch(`${em.graphUrl}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Instantiates the non-gallery template and returns the service principal and application. */
export async function createScimApp(
  em: GraphEmulator,
  displayName = "Contoso SCIM",
): Promise<{ sp: any; app: any }> {
  const res = await graph(
    em,
    "POST",
    "/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
    { displayName },
  );
  if (res.status !== 201) throw new Error(`instantiate failed: ${res.status}`);
  return { sp: res.body.servicePrincipal, app: res.body.application };
}

/** Creates a `scim` job on the service principal and returns it. */
export async function createJob(em: GraphEmulator, spId: string): Promise<any> {
  const res = await graph(em, "POST", `/servicePrincipals/${spId}/synchronization/jobs`, {
    templateId: "scim",
  });
  if (res.status !== 201) throw new Error(`job create failed: ${res.status}`);
  return res.body;
}
