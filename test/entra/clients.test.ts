import { describe, expect, it } from "vitest";
import { AdminApiError, createAdminClient } from "../../src/admin/client.js";
import { createGraphFromEnv } from "../../src/entra/credentials.js";
import {
  createGraphClient,
  GraphRequestError,
  graphScope,
  splitGraphUrl,
} from "../../src/entra/graph-client.js";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("the admin API client", () => {
  it("sends the management token and JSON, and returns the parsed body", async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const admin = createAdminClient({
      baseUrl: "https://scimgate.example.com/",
      token: "p:mk",
      fetch: async (url, init) => {
        calls.push({ url: String(url), init });
        return json(201, { id: "t1", name: "Contoso", jit: false, createdAt: "2026-11-28T00:00:00Z" });
      },
    });
    expect(await admin.createTenant({ name: "Contoso" })).toMatchObject({ id: "t1" });
    expect(calls[0]!.url).toBe("https://scimgate.example.com/admin/v1/tenants");
    expect(calls[0]!.init).toMatchObject({
      method: "POST",
      body: '{"name":"Contoso"}',
      headers: { Authorization: "Bearer p:mk", "Content-Type": "application/json" },
    });
  });

  it("raises the API's status, error code and detail", async () => {
    const admin = createAdminClient({
      baseUrl: "http://s",
      token: "t",
      fetch: async () => json(400, { status: 400, error: "invalid_value", detail: "unknown role ghost" }),
    });
    const err = await admin
      .putRoleMappings("t1", { roles: [], defaultRoles: [], mappings: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ status: 400, code: "invalid_value", detail: "unknown role ghost" });
    expect((err as Error).message).toBe(
      "scimgate admin API PUT /tenants/t1/role-mappings failed: 400 invalid_value: unknown role ghost",
    );
  });

  it("explains an unreachable service and tolerates non-JSON errors", async () => {
    const down = createAdminClient({
      baseUrl: "http://s",
      token: "t",
      fetch: async () => Promise.reject(new Error("ECONNREFUSED")),
    });
    await expect(down.info()).rejects.toThrow(
      "scimgate admin API GET http://s/admin/v1/info is unreachable: ECONNREFUSED",
    );
    const proxy = createAdminClient({
      baseUrl: "http://s",
      token: "t",
      fetch: async () => new Response("Bad Gateway", { status: 502 }),
    });
    await expect(proxy.listTenants()).rejects.toMatchObject({
      status: 502,
      code: "http_502",
      detail: "Bad Gateway",
    });
  });

  it("returns nothing for 204 (revoke, delete)", async () => {
    const admin = createAdminClient({
      baseUrl: "http://s",
      token: "t",
      fetch: async () => new Response(null, { status: 204 }),
    });
    expect(await admin.revokeKey("t1", "k1")).toBeUndefined();
  });
});

describe("the Graph client", () => {
  it.each([
    ["https://graph.microsoft.com/v1.0", "https://graph.microsoft.com", "v1.0"],
    ["https://graph.microsoft.us/beta/", "https://graph.microsoft.us", "beta"],
    ["http://127.0.0.1:4000/v1.0", "http://127.0.0.1:4000", "v1.0"],
    ["https://microsoftgraph.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "v1.0"],
  ])("splits %s into base and version", (url, baseUrl, version) => {
    expect(splitGraphUrl(url)).toEqual({ baseUrl, version });
  });

  it("derives the token scope from the cloud's origin", () => {
    expect(graphScope("https://microsoftgraph.chinacloudapi.cn/v1.0")).toBe(
      "https://microsoftgraph.chinacloudapi.cn/.default",
    );
  });

  it("uses a pre-acquired token from $SCIMGATE_GRAPH_TOKEN", async () => {
    let auth = "";
    const graph = createGraphFromEnv(
      "https://graph.microsoft.com/v1.0",
      { SCIMGATE_GRAPH_TOKEN: "from-env" },
      {
        fetch: async (_u, init) => {
          auth = (init?.headers as Record<string, string> | undefined)?.Authorization ?? "";
          return json(200, {});
        },
      },
    );
    await graph.get("/servicePrincipals");
    expect(auth).toBe("Bearer from-env");
  });

  it("turns Graph's error envelope into a GraphRequestError with code and message", async () => {
    const graph = createGraphClient({
      graphUrl: "https://g/v1.0",
      token: "t",
      fetch: async () =>
        json(404, {
          error: { code: "Request_ResourceNotFound", message: "Resource 'x' does not exist", innerError: {} },
        }),
    });
    const err = await graph.get("/servicePrincipals/x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect((err as Error).message).toBe(
      "Graph GET /servicePrincipals/x failed: 404 Request_ResourceNotFound: Resource 'x' does not exist",
    );
  });
});
