import { describe, expect, it } from "vitest";
import { buildDefaultSchema } from "../../src/emulator/default-schema.js";
import { ENTERPRISE_USER } from "../../src/entra/default-mappings.js";
import { parseMappingExpression } from "../../src/entra/expression.js";
import type { ObjectMappingSpec, SchemaSpec } from "../../src/entra/mapping-spec.js";
import { describeMapping, diffSchema } from "../../src/entra/schema-drift.js";
import {
  expressionsToParse,
  findObjectMapping,
  mergeSchema,
  normalizeExpression,
  resolveMappings,
} from "../../src/entra/schema-merge.js";
import type { ObjectMapping, SyncSchema } from "../../src/entra/sync-types.js";

const objectSpec = (over: Partial<ObjectMappingSpec> = {}, matching = "userName"): ObjectMappingSpec => ({
  enabled: true,
  matchingAttribute: matching,
  mappings: [],
  remove: [],
  scopingFilter: [],
  ...over,
});
const spec = (
  users: Partial<ObjectMappingSpec> = {},
  groups: Partial<ObjectMappingSpec> = {},
): SchemaSpec => ({
  users: objectSpec(users),
  groups: objectSpec(groups, "displayName"),
});
const defaults = () => buildDefaultSchema("scim.job") as unknown as SyncSchema;
const users = (s: SyncSchema): ObjectMapping => {
  const [r, o] = findObjectMapping(s, "User");
  return s.synchronizationRules[r]!.objectMappings[o]!;
};
const groups = (s: SyncSchema): ObjectMapping => {
  const [r, o] = findObjectMapping(s, "Group");
  return s.synchronizationRules[r]!.objectMappings[o]!;
};
const mapping = (om: ObjectMapping, target: string) =>
  om.attributeMappings.find((m) => m.targetAttributeName === target);

describe("mergeSchema", () => {
  it("leaves the template's default schema unchanged for an empty spec", () => {
    const current = defaults();
    expect(diffSchema(current, spec())).toEqual([]);
    expect(mergeSchema(current, spec()).schema).toEqual(current);
  });

  it("changes exactly one mapping when the stack changes one", () => {
    const current = defaults();
    const next = spec({
      mappings: [{ target: "displayName", expression: 'Join(" ", [givenName], [surname])' }],
    });
    expect(diffSchema(current, next)).toEqual([
      'users: change displayName <- [displayName] -> displayName <- Join(" ",[givenName],[surname])',
    ]);
    const merged = mergeSchema(current, next).schema;
    const before = users(current).attributeMappings;
    const after = users(merged).attributeMappings;
    expect(after).toHaveLength(before.length);
    const changed = after.filter((m, i) => JSON.stringify(m) !== JSON.stringify(before[i]));
    expect(changed.map((m) => m.targetAttributeName)).toEqual(["displayName"]);
    expect(mapping(users(merged), "displayName")?.source).toEqual(
      parseMappingExpression('Join(" ", [givenName], [surname])'),
    );
  });

  it("adds a mapping with Graph's default flow settings", () => {
    const merged = mergeSchema(
      defaults(),
      spec({ mappings: [{ target: `${ENTERPRISE_USER}:costCenter`, source: "employeeType" }] }),
    ).schema;
    expect(mapping(users(merged), `${ENTERPRISE_USER}:costCenter`)).toEqual({
      targetAttributeName: `${ENTERPRISE_USER}:costCenter`,
      source: { expression: "[employeeType]", name: "employeeType", parameters: [], type: "Attribute" },
      defaultValue: null,
      exportMissingReferences: false,
      flowBehavior: "FlowWhenChanged",
      flowType: "Always",
      matchingPriority: 0,
    });
  });

  it("removes a default mapping named in `remove`", () => {
    const target = 'phoneNumbers[type eq "fax"].value';
    const next = spec({ remove: [target] });
    expect(diffSchema(defaults(), next)).toEqual([`users: remove ${target} <- [facsimileTelephoneNumber]`]);
    expect(mapping(users(mergeSchema(defaults(), next).schema), target)).toBeUndefined();
  });

  it("removes a mapping the stack managed before and no longer lists", () => {
    const added = mergeSchema(
      defaults(),
      spec({ mappings: [{ target: "nickName", source: "mailNickname" }] }),
    );
    expect(added.managed.users).toContain("nickName");
    const dropped = mergeSchema(added.schema, spec(), added.managed);
    expect(mapping(users(dropped.schema), "nickName")).toBeUndefined();
  });

  it("keeps mappings, rules and directories it does not manage", () => {
    const current = defaults();
    users(current).attributeMappings.push({
      ...mapping(users(current), "title")!,
      targetAttributeName: "nickName",
    });
    (current as Record<string, unknown>)["@odata.context"] = "https://graph/$metadata#schema";
    const merged = mergeSchema(current, spec({ mappings: [{ target: "title", constant: "Staff" }] })).schema;
    expect(mapping(users(merged), "nickName")).toBeDefined();
    expect(merged.directories).toEqual(current.directories);
    expect(merged["@odata.context"]).toBeUndefined();
    expect(mapping(users(merged), "title")?.source).toEqual({
      expression: '"Staff"',
      name: "Staff",
      parameters: [],
      type: "Constant",
    });
  });

  it("moves the matching attribute", () => {
    const merged = mergeSchema(defaults(), spec({ matchingAttribute: "externalId" })).schema;
    expect(
      users(merged)
        .attributeMappings.filter((m) => m.matchingPriority! > 0)
        .map((m) => m.targetAttributeName),
    ).toEqual(["externalId"]);
  });

  it("sets a scoping filter and clears it again", () => {
    const clause = { attribute: "department", operator: "EQUALS", values: ["Sales"] };
    const scoped = mergeSchema(defaults(), spec({ scopingFilter: [{ clauses: [clause] }] })).schema;
    expect(users(scoped).scope?.groups).toEqual([
      {
        name: "scimgate-1",
        clauses: [
          { operatorName: "EQUALS", sourceOperandName: "department", targetOperand: { values: ["Sales"] } },
        ],
      },
    ]);
    expect(diffSchema(scoped, spec())).toEqual(["users: scoping filter department EQUALS Sales -> (none)"]);
    expect(users(mergeSchema(scoped, spec()).schema).scope?.groups).toEqual([]);
  });

  it("turns group provisioning off", () => {
    const merged = mergeSchema(defaults(), spec({}, { enabled: false })).schema;
    expect(groups(merged).enabled).toBe(false);
    expect(users(merged).enabled).toBe(true);
  });

  it("detects a mapping edited by hand as drift", () => {
    const current = defaults();
    mapping(users(current), "title")!.source = {
      expression: "[department]",
      name: "department",
      parameters: [],
      type: "Attribute",
    };
    expect(diffSchema(current, spec())).toEqual([
      "users: change title <- [department] -> title <- [jobTitle]",
    ]);
  });

  it("rejects a spec whose matching attribute is not mapped", () => {
    expect(() => mergeSchema(defaults(), spec({ matchingAttribute: "nope" }))).toThrow(
      'user matching attribute "nope" is not a mapped target attribute',
    );
  });
});

describe("expression helpers", () => {
  it("normalises whitespace outside string literals only", () => {
    expect(normalizeExpression('Join(" ", [a],  [b])')).toBe('Join(" ",[a],[b])');
  });

  it("parses the default active expression with its empty argument", () => {
    const src = parseMappingExpression('Switch([IsSoftDeleted], , "False", "True", "True", "False")');
    expect(src.name).toBe("Switch");
    expect(src.parameters?.map((p) => p.value.expression)).toEqual([
      "[IsSoftDeleted]",
      '"False"',
      '"True"',
      '"True"',
      '"False"',
    ]);
  });

  it.each(["Join(", "[a", '"x', "Fn([a] [b])"])("rejects the malformed expression %s", (e) => {
    expect(() => parseMappingExpression(e)).toThrow();
  });

  it("asks Graph to parse only expressions the schema does not already carry", () => {
    const next = spec({ mappings: [{ target: "title", expression: "Upper([jobTitle])" }] });
    expect(expressionsToParse(defaults(), next)).toEqual(["Upper([jobTitle])"]);
  });

  it("lets a later override replace an earlier one and a removal win", () => {
    const resolved = resolveMappings(
      [{ target: "a", source: "x" }],
      objectSpec({ mappings: [{ target: "A", source: "y" }], remove: [] }),
    );
    expect(resolved).toEqual([{ target: "A", source: "y" }]);
  });

  it("describes mappings in one canonical line", () => {
    expect(
      describeMapping({
        targetAttributeName: "userName",
        source: { type: "Attribute", name: "userPrincipalName" },
        matchingPriority: 1,
      }),
    ).toBe("userName <- [userPrincipalName] (matching=1)");
  });
});
