import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseStackConfig, rawConfigFromStackFile, StackConfigError } from "../../infra/stack-config.js";

const minimal = () => ({
  tenant: { name: "Contoso" },
  service: { url: "https://scimgate.example.com" },
  app: { displayName: "scimgate (Contoso)" },
});

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig(raw);
  } catch (err) {
    if (err instanceof StackConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("parseStackConfig", () => {
  it("fills every default from a minimal stack", () => {
    const c = parseStackConfig(minimal());
    expect(c.tenant).toEqual({ name: "Contoso", jit: false });
    expect(c.service).toEqual({
      url: "https://scimgate.example.com",
      keyRotation: "initial",
      patchCompliance: true,
    });
    expect(c.graphUrl).toBe("https://graph.microsoft.com/v1.0");
    expect(c.groups).toEqual([]);
    expect(c.provisioning.enabled).toBe(true);
    expect(c.provisioning.templateId).toBe("scim");
    expect(c.provisioning.syncAll).toBe(false);
    expect(c.provisioning.users).toEqual({
      enabled: true,
      matchingAttribute: "userName",
      mappings: [],
      remove: [],
      scopingFilter: [],
    });
    expect(c.provisioning.groups.matchingAttribute).toBe("displayName");
  });

  it("returns a deeply frozen config", () => {
    const c = parseStackConfig(minimal());
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.provisioning.users.mappings)).toBe(true);
  });

  it("accepts structured values given as JSON strings, as pulumi.Config returns them", () => {
    const raw = Object.fromEntries(Object.entries(minimal()).map(([k, v]) => [k, JSON.stringify(v)]));
    expect(parseStackConfig(raw).tenant.name).toBe("Contoso");
  });

  it.each([
    ["usgov", "https://graph.microsoft.us/v1.0"],
    ["china", "https://microsoftgraph.chinacloudapi.cn/v1.0"],
  ])("resolves the %s cloud to %s", (cloud, url) => {
    expect(parseStackConfig({ ...minimal(), graph: { cloud } }).graphUrl).toBe(url);
  });

  it("lets graph.url override the cloud (the emulator in tests)", () => {
    expect(parseStackConfig({ ...minimal(), graph: { url: "http://127.0.0.1:4000/v1.0" } }).graphUrl).toBe(
      "http://127.0.0.1:4000/v1.0",
    );
  });

  it("derives group keys from key, displayName or objectId", () => {
    const c = parseStackConfig({
      ...minimal(),
      groups: [
        { displayName: "All Employees", create: true },
        { objectId: "33333333-3333-3333-3333-333333333333" },
        { key: "ops", displayName: "Ops Team" },
      ],
    });
    expect(c.groups.map((g) => g.key)).toEqual([
      "all-employees",
      "33333333-3333-3333-3333-333333333333",
      "ops",
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a missing tenant", { tenant: undefined }, "`scimgate:tenant`: is required; add it to the stack file"],
    ["an unknown key", { tenat: {} }, "`scimgate:tenat`: unknown key; valid keys are"],
    [
      "a bad service URL",
      { service: { url: "scimgate" } },
      "`scimgate:service.url`: must be an absolute URL",
    ],
    [
      "an unknown field",
      { tenant: { name: "C", jitt: true } },
      '`scimgate:tenant`: Unrecognized key: "jitt"',
    ],
    [
      "an owner that is not a GUID",
      { app: { displayName: "x", owners: ["bob"] } },
      "`scimgate:app.owners[0]`: must be the owner's Object ID (a GUID from the Entra portal)",
    ],
    [
      "a group with both objectId and displayName",
      { groups: [{ objectId: "33333333-3333-3333-3333-333333333333", displayName: "x" }] },
      "`scimgate:groups[0]`: give exactly one of `objectId` (an existing group) or `displayName`",
    ],
    [
      "members on an existing group",
      { groups: [{ displayName: "x", members: ["22222222-2222-2222-2222-222222222222"] }] },
      "`scimgate:groups[0]`: `members` only applies to a group the stack creates (`create: true`)",
    ],
    [
      "a dynamic rule on an existing group",
      {
        groups: [
          { objectId: "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", dynamicRule: "(user.accountEnabled -eq true)" },
        ],
      },
      "`scimgate:groups[0]`: `dynamicRule` needs `create: true` and no `members`",
    ],
    [
      "a group role that is not defined",
      { groups: [{ displayName: "x", roles: ["admin"] }] },
      '`scimgate:groups[0].roles`: role "admin" is not defined; add it to `scimgate:roles.definitions`',
    ],
    [
      "a default role that is not defined",
      { roles: { defaultRoles: ["member"] } },
      '`scimgate:roles.defaultRoles`: role "member" is not defined',
    ],
    [
      "duplicate group keys",
      { groups: [{ displayName: "A b" }, { displayName: "a-b" }] },
      '`scimgate:groups[1].key`: "a-b" is used twice',
    ],
    [
      "a mapping with two sources",
      { provisioning: { users: { mappings: [{ target: "title", source: "jobTitle", constant: "x" }] } } },
      "`scimgate:provisioning.users.mappings[0]`: give exactly one of `source`",
    ],
    [
      "a matching attribute that is removed",
      { provisioning: { users: { remove: ["userName"] } } },
      '`scimgate:provisioning.users.matchingAttribute`: "userName" is not a mapped target',
    ],
    [
      "an expression that does not parse",
      { provisioning: { users: { mappings: [{ target: "title", expression: 'Join(" ", [a]' }] } } },
      '`scimgate:provisioning.users.mappings[0].expression`: missing ")"',
    ],
    [
      "an unknown scoping operator",
      {
        provisioning: {
          users: {
            scopingFilter: [{ clauses: [{ attribute: "department", operator: "LIKE", values: ["x"] }] }],
          },
        },
      },
      "`scimgate:provisioning.users.scopingFilter[0].clauses[0].operator`: use an Entra scoping operator",
    ],
    ["an unknown cloud", { graph: { cloud: "mars" } }, "`scimgate:graph.cloud`:"],
  ])("rejects %s, naming the key and the fix", (_name, patch, expected) => {
    const problems = problemsOf({ ...minimal(), ...patch });
    expect(
      problems.some((p) => p.startsWith(expected)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("reports every problem at once", () => {
    const keys = problemsOf({ tenant: { name: "" }, service: { url: "x" } }).map((p) => p.split("`")[1]);
    expect(new Set(keys)).toEqual(new Set(["scimgate:tenant.name", "scimgate:service.url", "scimgate:app"]));
  });

  it("parses the example stack file", () => {
    const doc = parse(readFileSync(new URL("../../stacks/Pulumi.example.yaml", import.meta.url), "utf8"));
    const c = parseStackConfig(rawConfigFromStackFile(doc));
    expect(c.tenant.name).toBe("Contoso");
    expect(c.groups.map((g) => [g.key, g.roles])).toEqual([
      ["all-employees", ["member"]],
      ["admins", ["admin", "member"]],
    ]);
    expect(c.provisioning.users.remove).toEqual(['phoneNumbers[type eq "fax"].value']);
  });
});
