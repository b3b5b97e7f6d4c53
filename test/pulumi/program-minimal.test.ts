import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, outputValue, type Registration } from "./mocks.js";

const seen: Registration[] = installMocks();
let program: typeof import("../../infra/index.js");

beforeAll(async () => {
  pulumi.runtime.setAllConfig({
    "scimgate:tenant": JSON.stringify({ name: "Fabrikam", jit: true }),
    "scimgate:service": JSON.stringify({ url: "https://scim.fabrikam.example", patchCompliance: false }),
    "scimgate:app": JSON.stringify({ displayName: "scimgate (Fabrikam)" }),
    "scimgate:graph": JSON.stringify({ cloud: "usgov" }),
    "scimgate:provisioning": JSON.stringify({ enabled: false, groups: { enabled: false } }),
    "scimgate:groups": JSON.stringify([
      {
        key: "everyone",
        displayName: "Everyone",
        create: true,
        dynamicRule: "(user.accountEnabled -eq true)",
      },
    ]),
  });
  program = await import("../../infra/index.js");
  await outputValue(pulumi.all([program.jobId, program.tenantUrl]));
  await new Promise((r) => setTimeout(r, 200));
});

describe("the Pulumi program on a minimal stack", () => {
  it("creates no SSO or owner resources when the stack has none", () => {
    expect(seen.map((s) => s.name).sort()).toEqual(
      [
        "entra",
        "entra-app",
        "entra-sp",
        "entra-sp-info",
        "entra-groups",
        "entra-groups-everyone",
        "entra-groups-everyone-assignment",
        "scimgate",
        "scimgate-tenant",
        "scimgate-key",
        "scimgate-roles",
        "entra-provisioning",
        "entra-provisioning-job",
        "entra-provisioning-schema",
        "entra-provisioning-run",
      ].sort(),
    );
    const sp = seen.find((s) => s.name === "entra-sp")!;
    expect(sp.inputs.preferredSingleSignOnMode).toBeUndefined();
  });

  it("creates a dynamic-membership group for the All Employees pattern", () => {
    expect(seen.find((s) => s.name === "entra-groups-everyone")!.inputs).toEqual({
      displayName: "Everyone",
      securityEnabled: true,
      preventDuplicateNames: true,
      types: ["DynamicMembership"],
      dynamicMembership: { enabled: true, rule: "(user.accountEnabled -eq true)" },
    });
  });

  it("leaves the management token to the environment and the Tenant URL without the PATCH flag", async () => {
    expect(seen.find((s) => s.name === "scimgate-tenant")!.inputs.adminToken).toBeUndefined();
    expect(await outputValue(program.tenantUrl)).toBe("https://scimgate.example.com/scim/v2");
  });

  it("points the job at the national cloud's Graph and keeps it paused with groups off", () => {
    expect(seen.find((s) => s.name === "entra-provisioning-job")!.inputs.graphUrl).toBe(
      "https://graph.microsoft.us/v1.0",
    );
    expect(seen.find((s) => s.name === "entra-provisioning-run")!.inputs.enabled).toBe(false);
    expect(seen.find((s) => s.name === "entra-provisioning-schema")!.inputs).toMatchObject({
      spec: { groups: { enabled: false } },
    });
    expect(seen.find((s) => s.name === "scimgate-roles")!.inputs).toMatchObject({
      document: { roles: [], defaultRoles: [], mappings: [] },
    });
  });

  it("fails before creating anything when the config is invalid", async () => {
    const { parseStackConfig } = await import("../../infra/config.js");
    expect(() => parseStackConfig({})).toThrow(/`scimgate:tenant`: is required/);
  });
});
