import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../infra/stack-config.js";
import { type OnboardingResult, runOnboarding } from "../../src/entra/onboarding.js";
import { applySchemaResource } from "../../src/entra/schema-resource.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness;
let r: OnboardingResult;

const raw = (users: Record<string, unknown> = {}) => ({
  tenant: { name: "E2E" },
  service: { url: "https://unused.example" },
  app: { displayName: "scimgate e2e" },
  groups: [
    { displayName: "Staff", roles: ["member"] },
    { displayName: "Admins", roles: ["admin"] },
  ],
  roles: { definitions: [{ name: "member" }, { name: "admin" }] },
  provisioning: { users },
});

async function scimUser(userName: string): Promise<Record<string, unknown>> {
  const url = `${h.service.scimUrl}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
  const res = await fetch(url, { headers: { Authorization: `Bearer ${r.job.secretToken}` } });
  const body = (await res.json()) as { Resources: Record<string, unknown>[] };
  return body.Resources[0]!;
}

beforeAll(async () => {
  h = await startHarness();
  r = await runOnboarding(parseStackConfig(raw()), {
    graph: h.graph,
    admin: h.admin,
    retry: { sleep: async () => {} },
  });
  await h.emulator.runCycle(r.servicePrincipalObjectId, r.job.jobId);
});
afterAll(async () => h?.close());

describe("from nothing to provisioned users, then one mapping changed in the stack", () => {
  it("provisions the assigned users with the roles of their groups", async () => {
    const admin = (await import("../../src/entra/scimgate-tenant.js")).adminClientFor(h.admin);
    const users = await admin.listUsers(r.tenant.tenantId);
    expect(users.map((u) => [u.userName, u.roles.sort()]).sort()).toEqual([
      ["ada@contoso.example", ["admin", "member"]],
      ["bob@contoso.example", ["member"]],
    ]);
    expect((await scimUser("ada@contoso.example")).title).toBe("Engineer");
  });

  it("changes exactly that mapping in Entra, and the next cycle carries it to scimgate", async () => {
    const next = parseStackConfig(
      raw({ mappings: [{ target: "title", source: "department" }] }),
    ).provisioning;
    const applied = await applySchemaResource(
      { ...r.schema, spec: { users: next.users, groups: next.groups } },
      r.schema.managed,
      { graph: h.graph },
    );
    expect(applied.applied).toEqual(["users: change title <- [jobTitle] -> title <- [department]"]);
    await h.emulator.runCycle(r.servicePrincipalObjectId, r.job.jobId);
    expect((await scimUser("ada@contoso.example")).title).toBe("R&D");
    expect((await scimUser("bob@contoso.example")).title).toBe("Sales");
    expect((await scimUser("ada@contoso.example")).displayName).toBe("Ada Lovelace");
  });
});
