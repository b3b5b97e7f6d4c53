import { describe, expect, it } from "vitest";
import { parseRoleConfig, RoleConfigError, resolveRoles } from "./roles.js";

const problems = (input: unknown): readonly string[] => {
  try {
    parseRoleConfig(input);
  } catch (e) {
    if (e instanceof RoleConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe("parseRoleConfig", () => {
  it("normalises the same intent to the same document, whatever the order", () => {
    const a = parseRoleConfig({
      roles: [{ name: "b" }, { name: "a" }],
      defaultRoles: ["b", "a", "b"],
      mappings: [
        { group: { displayName: "Z" }, roles: ["b", "a"] },
        { group: { externalId: "1" }, roles: ["a"] },
      ],
    });
    const b = parseRoleConfig({
      roles: [{ name: "a" }, { name: "b" }],
      defaultRoles: ["a", "b"],
      mappings: [
        { group: { externalId: "1" }, roles: ["a"] },
        { group: { displayName: "Z" }, roles: ["a", "b"] },
      ],
    });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("defaults defaultRoles and mappings to empty", () => {
    expect(parseRoleConfig({ roles: [] })).toEqual({ roles: [], defaultRoles: [], mappings: [] });
  });

  it.each([
    [
      { roles: [{ name: "a" }], defaultRoles: ["x"] },
      'defaultRoles: unknown role "x"; define it under roles first',
    ],
    [{ roles: [{ name: "a" }, { name: "a" }] }, 'roles: "a" is defined twice'],
    [
      {
        roles: [{ name: "a" }],
        mappings: [
          { group: { displayName: "G" }, roles: ["a"] },
          { group: { displayName: "g" }, roles: ["a"] },
        ],
      },
      "mappings.1: group displayName:g is mapped twice; list all its roles in one mapping",
    ],
    [{ roles: [{ name: "" }] }, "roles.0.name: a role name cannot be empty"],
    [
      { roles: [], mappings: [{ group: { externalId: "1", displayName: "x" }, roles: ["a"] }] },
      "mappings.0.group",
    ],
    [{ roles: [], mappings: [{ group: { externalId: "1" }, roles: [] }] }, "mappings.0.roles"],
    [{ roles: [], extra: 1 }, "document"],
  ])("refuses %j", (input, message) => {
    expect(problems(input).join("; ")).toContain(message);
  });
});

describe("resolveRoles", () => {
  const config = parseRoleConfig({
    roles: [{ name: "base" }, { name: "eng" }, { name: "ops" }],
    defaultRoles: ["base"],
    mappings: [
      { group: { externalId: "oid-eng" }, roles: ["eng"] },
      { group: { displayName: "Operations" }, roles: ["ops", "eng"] },
    ],
  });

  it.each([
    [[], ["base"]],
    [[{ id: "1", displayName: "Renamed", externalId: "oid-eng" }], ["base", "eng"]],
    [[{ id: "2", displayName: "OPERATIONS", externalId: null }], ["base", "eng", "ops"]],
    [[{ id: "3", displayName: "Engineering", externalId: "other" }], ["base"]],
  ])("resolves groups %j to %j", (groups, roles) => {
    expect(resolveRoles(config, groups)).toEqual(roles);
  });
});
