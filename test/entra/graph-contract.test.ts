import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseStackConfig, rawConfigFromStackFile } from "../../infra/stack-config.js";
import { provisionOnDemand, readLogs, readStatus, restart, testConnection } from "../../src/entra/day2.js";
import { createGraphClient } from "../../src/entra/graph-client.js";
import { deleteJobResource } from "../../src/entra/job-resource.js";
import { runOnboarding } from "../../src/entra/onboarding.js";
import { applySchemaResource } from "../../src/entra/schema-resource.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
const sent: { method: string; path: string; status: number; body: string }[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe("every Graph request scimgate sends", () => {
  it("is accepted by the emulator's validation against the official schema, across a full lifecycle", async () => {
    const graph = createGraphClient({
      graphUrl: h.emulator.graphUrl,
      token: "contract",
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        const path = new URL(String(url)).pathname.replace(/^\/v1\.0/, "");
        sent.push({
          method: init?.method ?? "GET",
          path,
          status: res.status,
          body: res.status >= 400 ? await res.clone().text() : "",
        });
        return res;
      },
    });
    const doc = parse(readFileSync(new URL("../../stacks/Pulumi.example.yaml", import.meta.url), "utf8"));
    const raw = rawConfigFromStackFile(doc);
    const plan = parseStackConfig({
      ...raw,
      groups: [
        { displayName: "Staff", roles: ["member"] },
        { key: "new", displayName: "New Hires", create: true, roles: [] },
      ],
    });
    const fast = { sleep: async () => {} };
    const r = await runOnboarding(plan, { graph, admin: h.admin, retry: fast });
    const deps = { graph, retry: fast };
    const spec = {
      users: {
        ...plan.provisioning.users,
        scopingFilter: [{ clauses: [{ attribute: "department", operator: "EQUALS", values: ["R&D"] }] }],
      },
      groups: plan.provisioning.groups,
    };
    await applySchemaResource({ ...r.schema, spec }, r.schema.managed, deps);
    await h.emulator.runCycle(r.servicePrincipalObjectId, r.job.jobId);
    await readStatus(graph, r.servicePrincipalObjectId);
    await testConnection(graph, r.servicePrincipalObjectId, r.job.jobId);
    const ada = (await graph.get<{ value: { id: string }[] }>("/users")).value[0]!;
    await provisionOnDemand(graph, r.servicePrincipalObjectId, r.job.jobId, {
      objectId: ada.id,
      objectTypeName: "User",
    });
    await restart(graph, r.servicePrincipalObjectId, r.job.jobId, false);
    await restart(graph, r.servicePrincipalObjectId, r.job.jobId, true);
    await readLogs(graph, r.job.jobId, 5);
    await deleteJobResource(r.job, deps);

    const rejected = sent.filter((s) => s.status === 400 || s.status === 405);
    expect(rejected).toEqual([]);
    // parseExpression is optional (the local parser stands in), so its 404 is tolerated; nothing else fails
    expect(
      sent.filter((s) => s.status >= 400 && !s.path.endsWith("/schema/parseExpression") && s.status !== 404),
    ).toEqual([]);
    expect(sent.some((s) => s.method === "PATCH" && s.path.endsWith("/schema"))).toBe(false);
    const writes = new Set(
      sent
        .filter((s) => s.method !== "GET")
        .map(
          (s) =>
            `${s.method} ${s.path.replace(/[0-9a-f-]{36}/g, "{id}").replace(/scim\.[0-9a-f]{32}\.\{id\}/, "{job}")}`,
        ),
    );
    expect([...writes].sort()).toEqual(
      [
        "POST /applicationTemplates/{id}/instantiate",
        "POST /groups",
        "POST /servicePrincipals/{id}/appRoleAssignedTo",
        "POST /servicePrincipals/{id}/synchronization/jobs",
        "POST /servicePrincipals/{id}/synchronization/jobs/{job}/validateCredentials",
        "PUT /servicePrincipals/{id}/synchronization/secrets",
        "POST /servicePrincipals/{id}/synchronization/jobs/{job}/schema/parseExpression",
        "PUT /servicePrincipals/{id}/synchronization/jobs/{job}/schema",
        "POST /servicePrincipals/{id}/synchronization/jobs/{job}/start",
        "POST /servicePrincipals/{id}/synchronization/jobs/{job}/provisionOnDemand",
        "POST /servicePrincipals/{id}/synchronization/jobs/{job}/restart",
        "POST /servicePrincipals/{id}/synchronization/jobs/{job}/pause",
        "DELETE /servicePrincipals/{id}/synchronization/jobs/{job}",
      ].sort(),
    );
  });
});
