import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { installMocks, isSerializedSecret, outputValue, type Registration } from "./mocks.js";

const seen: Registration[] = installMocks();
let program: typeof import("../../infra/index.js");

function configFromExampleStack(): Record<string, string> {
  const doc = parse(readFileSync(new URL("../../stacks/Pulumi.example.yaml", import.meta.url), "utf8"));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config as Record<string, unknown>))
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  out["scimgate:adminToken"] = "project-1:management-key";
  return out;
}

const byName = (name: string) => {
  const r = seen.find((s) => s.name === name);
  if (!r) throw new Error(`no resource named ${name}; have ${seen.map((s) => s.name).join(", ")}`);
  return r;
};
const urnOf = (name: string) => byName(name).urn;

beforeAll(async () => {
  pulumi.runtime.setAllConfig(configFromExampleStack(), ["scimgate:adminToken"]);
  program = await import("../../infra/index.js");
  await outputValue(pulumi.all([program.jobId, program.jobStatus, program.tenantUrl]));
  // let the remaining registrations (role assignments, role mappings) settle
  await new Promise((r) => setTimeout(r, 200));
});

describe("the Pulumi program on the example stack", () => {
  it("registers exactly these resources, by type and name", () => {
    expect(seen.map((s) => `${s.type} ${s.name}`).sort()).toEqual(
      [
        "scimgate:entra:EntraEnterpriseApp entra",
        "azuread:index/applicationFromTemplate:ApplicationFromTemplate entra-app",
        "azuread:index/servicePrincipal:ServicePrincipal entra-sp",
        "pulumi-nodejs:dynamic/scimgate:ServicePrincipalInfo entra-sp-info",
        "azuread:index/applicationOwner:ApplicationOwner entra-owner-6f1d2c3b-4a59-4e68-9d7c-0b1a2c3d4e5f",
        "azuread:index/applicationIdentifierUri:ApplicationIdentifierUri entra-identifier-0",
        "azuread:index/applicationRedirectUris:ApplicationRedirectUris entra-reply-urls",
        "azuread:index/servicePrincipalTokenSigningCertificate:ServicePrincipalTokenSigningCertificate entra-signing-cert",
        "pulumi-nodejs:dynamic/scimgate:SigningKeyActivation entra-signing-key",
        "scimgate:entra:GroupAssignments entra-groups",
        "azuread:index/group:Group entra-groups-all-employees",
        "azuread:index/appRoleAssignment:AppRoleAssignment entra-groups-all-employees-assignment",
        "azuread:index/appRoleAssignment:AppRoleAssignment entra-groups-admins-assignment",
        "scimgate:scimgate:ScimTargetTenant scimgate",
        "pulumi-nodejs:dynamic/scimgate:Tenant scimgate-tenant",
        "pulumi-nodejs:dynamic/scimgate:AccessKey scimgate-key",
        "pulumi-nodejs:dynamic/scimgate:RoleMappings scimgate-roles",
        "scimgate:entra:ScimProvisioning entra-provisioning",
        "pulumi-nodejs:dynamic/scimgate:ScimJob entra-provisioning-job",
        "pulumi-nodejs:dynamic/scimgate:ScimSchema entra-provisioning-schema",
        "pulumi-nodejs:dynamic/scimgate:ScimJobRun entra-provisioning-run",
      ].sort(),
    );
  });

  it("parents every child to its component", () => {
    const parents: Record<string, string> = {
      "entra-app": "entra",
      "entra-sp": "entra",
      "entra-sp-info": "entra",
      "entra-reply-urls": "entra",
      "entra-signing-cert": "entra",
      "entra-signing-key": "entra",
      "entra-groups-all-employees": "entra-groups",
      "entra-groups-admins-assignment": "entra-groups",
      "scimgate-tenant": "scimgate",
      "scimgate-key": "scimgate",
      "scimgate-roles": "scimgate",
      "entra-provisioning-job": "entra-provisioning",
      "entra-provisioning-schema": "entra-provisioning",
      "entra-provisioning-run": "entra-provisioning",
    };
    for (const [child, parent] of Object.entries(parents))
      expect(byName(child).parent, child).toBe(urnOf(parent));
  });

  it("instantiates the non-gallery template and reuses its service principal once it has replicated", () => {
    expect(byName("entra-sp-info").inputs).toMatchObject({
      graphUrl: "https://graph.microsoft.com/v1.0",
      servicePrincipalId: "sp-object-id",
    });
    expect(byName("entra-sp").dependencies).toContain(urnOf("entra-sp-info"));
    expect(byName("entra-app").inputs).toEqual({
      displayName: "scimgate (Contoso)",
      templateId: "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
    });
    expect(byName("entra-sp").inputs).toMatchObject({
      clientId: "client-id-1",
      useExisting: true,
      appRoleAssignmentRequired: true,
      preferredSingleSignOnMode: "saml",
      owners: ["6f1d2c3b-4a59-4e68-9d7c-0b1a2c3d4e5f"],
      notificationEmailAddresses: ["it-ops@contoso.example"],
    });
  });

  it("configures SAML identifier, reply URLs and the signing certificate on the template app", () => {
    expect(byName("entra-identifier-0").inputs).toEqual({
      applicationId: "/applications/app-object-id",
      identifierUri: "https://scimgate.example.com/saml/contoso",
    });
    expect(byName("entra-reply-urls").inputs).toEqual({
      applicationId: "/applications/app-object-id",
      type: "Web",
      redirectUris: ["https://scimgate.example.com/saml/contoso/acs"],
    });
    expect(byName("entra-signing-cert").inputs).toEqual({
      servicePrincipalId: "/servicePrincipals/sp-object-id",
      displayName: "CN=scimgate-contoso",
      endDate: "2029-11-28T00:00:00Z",
    });
    expect(byName("entra-signing-key").inputs).toMatchObject({
      graphUrl: "https://graph.microsoft.com/v1.0",
      servicePrincipalId: "sp-object-id",
      thumbprint: "A7D3C4626B8A84FDA868CCC67D274D402FFD0A10",
    });
    expect(byName("entra-signing-key").dependencies).toContain(urnOf("entra-signing-cert"));
  });

  it("creates the All Employees group and assigns both groups with the User role read from appRoles", () => {
    expect(byName("entra-groups-all-employees").inputs).toMatchObject({
      displayName: "All Employees",
      securityEnabled: true,
      members: ["9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"],
    });
    expect(byName("entra-groups-all-employees-assignment").inputs).toEqual({
      appRoleId: "8774f594-1d59-4279-b9d9-59ef09a23530",
      principalObjectId: "entra-groups-all-employees-object-id",
      resourceObjectId: "sp-object-id",
    });
    expect(byName("entra-groups-admins-assignment").inputs).toEqual({
      appRoleId: "8774f594-1d59-4279-b9d9-59ef09a23530",
      principalObjectId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
      resourceObjectId: "sp-object-id",
    });
    expect(byName("entra-groups-all-employees-assignment").dependencies).toContain(
      urnOf("entra-groups-all-employees"),
    );
  });

  it("maps the assigned groups to roles by their Entra objectId", () => {
    expect(byName("scimgate-roles").inputs).toMatchObject({
      adminUrl: "https://scimgate.example.com",
      tenantId: "tenant-1",
      document: {
        roles: [
          { name: "admin", description: "Tenant administrator" },
          { name: "member", description: "Regular user" },
        ],
        defaultRoles: [],
        mappings: [
          { group: { externalId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f" }, roles: ["admin", "member"] },
          { group: { externalId: "entra-groups-all-employees-object-id" }, roles: ["member"] },
        ],
      },
    });
    expect(byName("scimgate-roles").dependencies).toContain(urnOf("scimgate-tenant"));
  });

  it("creates the tenant with JIT off and a key named for its rotation", () => {
    expect(byName("scimgate-tenant").inputs).toMatchObject({ name: "Contoso", jit: false });
    expect(byName("scimgate-key").inputs).toMatchObject({
      tenantId: "tenant-1",
      rotation: "2026-11",
      expiresInDays: 365,
      description: "Entra provisioning (rotation 2026-11)",
    });
  });

  it("hands the tenant URL and key to the job, which depends on the key", () => {
    expect(byName("entra-provisioning-job").inputs).toMatchObject({
      graphUrl: "https://graph.microsoft.com/v1.0",
      servicePrincipalId: "sp-object-id",
      templateId: "scim",
      baseAddress: "https://scimgate.example.com/scim/v2?aadOptscim062020",
      syncAll: false,
      notifications: { email: "it-ops@contoso.example", deleteThreshold: 500 },
    });
    expect((byName("entra-provisioning-job").rawInputs.secretToken as { value: string }).value).toBe(
      "project-1:access-key-1",
    );
    expect(byName("entra-provisioning-job").dependencies).toEqual(
      expect.arrayContaining([urnOf("scimgate-key"), urnOf("scimgate-tenant")]),
    );
  });

  it("keeps the management key and the SCIM token secret everywhere", async () => {
    expect(isSerializedSecret(byName("entra-provisioning-job").rawInputs.secretToken)).toBe(true);
    expect(byName("entra-provisioning-job").additionalSecretOutputs).toContain("secretToken");
    expect(byName("scimgate-key").additionalSecretOutputs).toEqual(
      expect.arrayContaining(["token", "adminToken"]),
    );
    for (const n of ["scimgate-tenant", "scimgate-key", "scimgate-roles"])
      expect(isSerializedSecret(byName(n).rawInputs.adminToken), n).toBe(true);
    for (const r of seen.filter((s) => s.type.startsWith("pulumi-nodejs:dynamic")))
      expect(String(r.inputs.__provider), r.name).not.toMatch(/access-key-1|management-key/);
    expect(await pulumi.isSecret(program.tenantUrl)).toBe(false);
  });

  it("sets the mappings from the stack on the job, then starts the job after the schema", () => {
    const schema = byName("entra-provisioning-schema");
    expect(schema.inputs).toMatchObject({
      jobId: "scim.0123456789abcdef0123456789abcdef.11111111-2222-3333-4444-555555555555",
      spec: {
        users: { matchingAttribute: "userName", remove: ['phoneNumbers[type eq "fax"].value'] },
        groups: { enabled: true, matchingAttribute: "displayName" },
      },
    });
    const run = byName("entra-provisioning-run");
    expect(run.inputs).toMatchObject({ enabled: true, jobId: schema.inputs.jobId });
    expect(run.dependencies).toContain(urnOf("entra-provisioning-schema"));
  });

  it("makes the provisioning wait for the group assignments", () => {
    // dependsOn a component waits for all of its children
    expect(byName("entra-provisioning").dependencies).toEqual(
      expect.arrayContaining([
        urnOf("entra-groups-all-employees-assignment"),
        urnOf("entra-groups-admins-assignment"),
      ]),
    );
  });

  it("serializes each dynamic provider as a closure that imports src/entra at run time", () => {
    const modules: Record<string, string> = {
      "entra-provisioning-job": "job-resource",
      "entra-provisioning-schema": "schema-resource",
      "scimgate-key": "scimgate-tenant",
    };
    for (const [n, mod] of Object.entries(modules)) {
      const text = String(byName(n).inputs.__provider);
      expect(text).toContain("exports.handler");
      expect(text).toContain(`src/entra/${mod}.ts`);
      expect(text).not.toContain("__vite_ssr_dynamic_import__");
    }
  });

  it("exports the tenant URL, ids, job id and job status", async () => {
    expect(await outputValue(program.tenantUrl)).toBe(
      "https://scimgate.example.com/scim/v2?aadOptscim062020",
    );
    expect(await outputValue(program.applicationObjectId)).toBe("app-object-id");
    expect(await outputValue(program.servicePrincipalObjectId)).toBe("sp-object-id");
    expect(await outputValue(program.jobStatus)).toBe("NotRun");
    expect(await outputValue(program.jobSchedule)).toBe("Active");
  });
});
