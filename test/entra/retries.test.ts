import { afterEach, describe, expect, it } from "vitest";
import { instantiateApp } from "../../src/entra/directory-ops.js";
import { createGraphClient, GraphRequestError } from "../../src/entra/graph-client.js";
import { createJobResource } from "../../src/entra/job-resource.js";
import { parseRetryAfter, waitUntil, withRetry } from "../../src/entra/retry.js";
import { createKeyResource, createTenantResource } from "../../src/entra/scimgate-tenant.js";
import { createJob, listTemplates } from "../../src/entra/sync-job.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const recorder = () => {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
};

describe("throttling against the Graph emulator", () => {
  it("waits for Retry-After on 429 and then succeeds", async () => {
    h = await startHarness();
    const rec = recorder();
    const graph = createGraphClient({
      graphUrl: h.emulator.graphUrl,
      token: "t",
      retry: { sleep: rec.sleep, maxDelayMs: 60_000 },
    });
    h.emulator.throttleNext(2, 7);
    const app = await instantiateApp(graph, "throttled", { sleep: rec.sleep });
    expect(app.servicePrincipalObjectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.sleeps).toEqual([7000, 7000]);
  });

  it("gives up after the configured number of throttled retries with Graph's error", async () => {
    h = await startHarness();
    const graph = createGraphClient({
      graphUrl: h.emulator.graphUrl,
      token: "t",
      retry: { retries: 2, sleep: async () => {} },
    });
    h.emulator.throttleNext(5, 1);
    const err = await graph.get("/servicePrincipals").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect((err as GraphRequestError).status).toBe(429);
    expect((err as GraphRequestError).code).toBe("TooManyRequests");
  });
});

describe("eventual consistency against the Graph emulator", () => {
  it("polls the new service principal until it replicates, then onboards the job", async () => {
    let now = 1_000_000;
    h = await startHarness({ consistencyDelayMs: 30_000, now: () => now });
    const sleeps: number[] = [];
    const policy = {
      retries: 10,
      baseDelayMs: 5000,
      maxDelayMs: 10_000,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const app = await instantiateApp(h.graph, "lagging", policy);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30_000);
    const tenant = await createTenantResource({ ...h.admin, name: "Lag", jit: false });
    const key = await createKeyResource({
      ...h.admin,
      tenantId: tenant.tenantId,
      rotation: "1",
      description: "t",
    });
    const job = await createJobResource(
      {
        graphUrl: h.graph.graphUrl,
        servicePrincipalId: app.servicePrincipalObjectId,
        templateId: "scim",
        baseAddress: tenant.scimUrl,
        secretToken: key.token,
        syncAll: false,
        notifications: {},
      },
      { graph: h.graph, retry: policy },
    );
    expect(job.jobId).toMatch(/^scim\./);
  });
});

describe("retry helpers", () => {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });

  it("retries POST jobs while the sync backend answers 403/409 for a new service principal", async () => {
    const answers = [
      json(403, { error: { code: "Authorization_RequestDenied", message: "not yet" } }),
      json(409, { error: { code: "Conflict", message: "not yet" } }),
      json(201, { id: "scim.abc.1", templateId: "scim" }),
      json(200, { id: "scim.abc.1", templateId: "scim" }),
    ];
    const seen: string[] = [];
    const graph = createGraphClient({
      graphUrl: "https://graph.example/v1.0",
      token: "t",
      fetch: async (url, init) => {
        seen.push(`${init?.method} ${url}`);
        return answers.shift()!;
      },
    });
    const job = await createJob(graph, "sp", "scim", { sleep: async () => {} });
    expect(job.id).toBe("scim.abc.1");
    expect(seen).toEqual([
      "POST https://graph.example/v1.0/servicePrincipals/sp/synchronization/jobs",
      "POST https://graph.example/v1.0/servicePrincipals/sp/synchronization/jobs",
      "POST https://graph.example/v1.0/servicePrincipals/sp/synchronization/jobs",
      "GET https://graph.example/v1.0/servicePrincipals/sp/synchronization/jobs/scim.abc.1",
    ]);
  });

  it("retries an empty template list right after instantiate", async () => {
    const answers = [
      json(200, { value: [] }),
      json(500, { error: { code: "UnknownError", message: "{}" } }),
      json(200, { value: [{ id: "scim" }] }),
    ];
    const graph = createGraphClient({
      graphUrl: "https://g/v1.0",
      token: "t",
      fetch: async () => answers.shift()!,
    });
    expect(await listTemplates(graph, "sp", { sleep: async () => {} })).toEqual([{ id: "scim" }]);
  });

  it("sends the bearer token from a credential with the cloud's scope", async () => {
    const scopes: string[] = [];
    let auth = "";
    const graph = createGraphClient({
      graphUrl: "https://graph.microsoft.us/v1.0",
      credential: {
        getToken: async (s) => {
          scopes.push(String(s));
          return { token: "abc", expiresOnTimestamp: 0 };
        },
      },
      fetch: async (_u, init) => {
        auth = (init?.headers as Record<string, string> | undefined)?.Authorization ?? "";
        return json(200, { value: [] });
      },
    });
    await graph.get("/servicePrincipals");
    expect(scopes).toEqual(["https://graph.microsoft.us/.default"]);
    expect(auth).toBe("Bearer abc");
  });

  it.each([
    ["10", 10_000],
    ["2.128", 2128],
    ["", undefined],
    ["soon", undefined],
  ])("parses Retry-After %j as %s ms", (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms);
  });

  it("parses an HTTP-date Retry-After relative to now", () => {
    expect(
      parseRetryAfter("Sat, 28 Nov 2026 12:00:10 GMT", Date.parse("Sat, 28 Nov 2026 12:00:00 GMT")),
    ).toBe(10_000);
  });

  it("stops retrying on an error the predicate rejects", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error("fatal");
        },
        () => false,
      ),
    ).rejects.toThrow("fatal");
    expect(calls).toBe(1);
  });

  it("waits for consecutive successes before declaring a write visible", async () => {
    const answers = [true, false, true, true, true];
    await waitUntil(async () => answers.shift()!, "x", { times: 3, sleep: async () => {} });
    expect(answers).toEqual([]);
    await expect(
      waitUntil(async () => false, "the job", { retries: 2, sleep: async () => {} }),
    ).rejects.toThrow("timed out waiting for the job");
  });
});
