import { describe, expect, it } from "vitest";
import { scimErrorFields as errorOf } from "../../../test/helpers/scim-error.js";
import { GROUP_RESOURCE, SCIM_PATCH_SCHEMA } from "../schema-defs.js";
import type { MemberDelta, PatchOperation } from "../types.js";
import { applyPatch } from "./apply.js";
import { isMembersPath, MAX_MEMBER_OPS_VALUES, splitGroupPatch } from "./members.js";
import { parsePatchRequest } from "./parse-request.js";

/** Parses a PATCH body as the HTTP layer will and splits it. */
const split = (...Operations: unknown[]) =>
  splitGroupPatch(parsePatchRequest({ schemas: [SCIM_PATCH_SCHEMA], Operations }));
const delta = (add: string[], remove: string[] = [], clear = false): MemberDelta => ({ clear, add, remove });

/** What a store does with a delta, for checking folds against a known member list. */
function applyDelta(members: readonly string[], d: MemberDelta): string[] {
  const kept = d.clear ? [] : members.filter((m) => !d.remove.includes(m));
  return [...new Set([...kept, ...d.add])];
}

describe("splitGroupPatch: Entra member shapes", () => {
  it.each<[string, unknown[], MemberDelta]>([
    [
      "tutorial Add Members",
      [{ op: "Add", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] }],
      delta(["f648f8d5ea4e4cd38e9c"]),
    ],
    [
      "several members in one Add",
      [
        {
          op: "Add",
          path: "members",
          value: [{ $ref: null, value: "u1" }, { $ref: null, value: "u2" }, { value: "u3" }],
        },
      ],
      delta(["u1", "u2", "u3"]),
    ],
    [
      "tutorial Remove Members (default dialect, value list)",
      [{ op: "Remove", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] }],
      delta([], ["f648f8d5ea4e4cd38e9c"]),
    ],
    [
      "known-issues default removal",
      [{ op: "Remove", path: "members", value: [{ value: "u1091" }] }],
      delta([], ["u1091"]),
    ],
    [
      "known-issues flag removal (filter path)",
      [{ op: "remove", path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }],
      delta([], ["7f4bc1a3-285e-48ae-8202-5accb43efb0e"]),
    ],
    [
      "a filter or-ing several ids",
      [{ op: "remove", path: 'members[value eq "a" or value eq "b" or VALUE EQ "c"]' }],
      delta([], ["a", "b", "c"]),
    ],
    ["remove all (path members, no value)", [{ op: "remove", path: "members" }], delta([], [], true)],
    [
      "replace members with a list",
      [{ op: "replace", path: "members", value: [{ value: "a" }, { value: "b" }] }],
      delta(["a", "b"], [], true),
    ],
    [
      "replace members with an empty list",
      [{ op: "replace", path: "members", value: [] }],
      delta([], [], true),
    ],
    [
      'the reference tests\' bare string "value": "string id 1"',
      [{ op: "add", path: "members", value: "string id 1" }],
      delta(["string id 1"]),
    ],
    ["a single member object", [{ op: "add", path: "members", value: { value: "u1" } }], delta(["u1"])],
    [
      'the reference tests\' add with "name": "addMember" and displayName',
      [{ name: "addMember", op: "add", path: "members", value: [{ displayName: "new User", value: "u4" }] }],
      delta(["u4"]),
    ],
    ["a capitalised Members path", [{ op: "Add", path: "Members", value: [{ value: "u1" }] }], delta(["u1"])],
    [
      "a URN-qualified members path",
      [{ op: "add", path: "urn:ietf:params:scim:schemas:core:2.0:Group:members", value: [{ value: "u1" }] }],
      delta(["u1"]),
    ],
    ["remove with an empty value list is a no-op", [{ op: "remove", path: "members", value: [] }], delta([])],
    [
      "duplicate ids in one add",
      [{ op: "add", path: "members", value: [{ value: "a" }, { value: "a" }] }],
      delta(["a"]),
    ],
  ])("folds %s", (_, ops, expected) => {
    expect(split(...ops)).toEqual({ attributeOps: [], members: expected });
  });

  it("leaves attribute ops alone and reports no member delta when none touches members", () => {
    expect(split({ op: "Replace", path: "displayName", value: "x" })).toEqual({
      attributeOps: [{ op: "replace", path: "displayName", value: "x" }],
      members: undefined,
    });
  });

  it("moves a members key out of a path-less replace and keeps the other keys", () => {
    expect(split({ op: "replace", value: { displayName: "n", Members: [{ value: "a" }] } })).toEqual({
      attributeOps: [{ op: "replace", value: { displayName: "n" } }],
      members: delta(["a"], [], true),
    });
    expect(split({ op: "add", value: { members: [{ value: "a" }] } })).toEqual({
      attributeOps: [],
      members: delta(["a"]),
    });
  });

  it("splits a mixed request and the rest applies to the group doc", () => {
    const { attributeOps, members } = split(
      { op: "Replace", path: "displayName", value: "renamed" },
      { op: "Add", path: "members", value: [{ value: "a" }] },
      { op: "Replace", path: "externalId", value: "e" },
    );
    expect(members).toEqual(delta(["a"]));
    expect(applyPatch(GROUP_RESOURCE, { displayName: "g" }, attributeOps)).toEqual({
      displayName: "renamed",
      externalId: "e",
    });
  });
});

describe("splitGroupPatch: folding in order", () => {
  const add = (...ids: string[]) => ({ op: "add", path: "members", value: ids.map((value) => ({ value })) });
  const remove = (...ids: string[]) => ({
    op: "remove",
    path: "members",
    value: ids.map((value) => ({ value })),
  });
  const removeAll = { op: "remove", path: "members" };

  it.each<[string, unknown[], MemberDelta]>([
    ["add after remove cancels the removal", [remove("x"), add("x")], delta(["x"], [])],
    ["remove after add cancels the add", [add("x"), remove("x")], delta([], ["x"])],
    [
      "remove-all discards earlier adds and removes",
      [add("a"), remove("b"), removeAll, add("c")],
      delta(["c"], [], true),
    ],
    [
      "a remove after remove-all only cancels later adds",
      [removeAll, add("a", "b"), remove("a")],
      delta(["b"], [], true),
    ],
    [
      "the flag dialect and the default dialect fold together",
      [add("a", "b"), { op: "remove", path: 'members[value eq "a"]' }],
      delta(["b"], ["a"]),
    ],
  ])("%s", (_, ops, expected) => {
    expect(split(...ops).members).toEqual(expected);
  });

  it.each([
    [
      ["a", "b"],
      [add("c"), remove("a")],
      ["b", "c"],
    ],
    [["a", "b"], [removeAll, add("a")], ["a"]],
    [["a"], [remove("a"), add("a")], ["a"]],
    [["a"], [add("b"), remove("b")], ["a"]],
    [["a", "b"], [{ op: "replace", path: 'members[value eq "a"]', value: [{ value: "z" }] }], ["b", "z"]],
  ])("turns %j with %j into %j, as applying the ops one by one would", (start, ops, end) => {
    expect(applyDelta(start, split(...ops).members!)).toEqual(end);
  });
});

describe("splitGroupPatch: errors", () => {
  it.each<[string, unknown, string, string]>([
    [
      "a members filter on display",
      { op: "remove", path: 'members[display eq "x"]' },
      "invalidFilter",
      'a members filter may only be value eq "<id>", optionally joined by or',
    ],
    [
      "a members filter with ne",
      { op: "remove", path: 'members[value ne "x"]' },
      "invalidFilter",
      'a members filter may only be value eq "<id>", optionally joined by or',
    ],
    [
      "a members filter with and",
      { op: "remove", path: 'members[$ref eq null and value eq "x"]' },
      "invalidFilter",
      'a members filter may only be value eq "<id>", optionally joined by or',
    ],
    [
      "a member sub-attribute path",
      { op: "add", path: 'members[value eq "x"].display', value: "d" },
      "invalidPath",
      'Operations[0]: member sub-attributes cannot be changed; use "members" or members[value eq "<id>"]',
    ],
    [
      "an add with a members filter",
      { op: "add", path: 'members[value eq "x"]', value: [{ value: "x" }] },
      "invalidPath",
      "Operations[0]: add cannot take a members filter",
    ],
    [
      "an empty member value",
      { op: "add", path: "members", value: [{ value: "" }] },
      "invalidValue",
      'attribute "Operations[0].value[0].value" must be a non-empty string',
    ],
    [
      "a numeric member value",
      { op: "Remove", path: "members", value: [{ value: 5 }] },
      "invalidValue",
      'attribute "Operations[0].value[0].value" must be a non-empty string',
    ],
    [
      "a member without value",
      { op: "add", path: "members", value: [{ $ref: null }] },
      "invalidValue",
      'attribute "Operations[0].value[0].value" must be a non-empty string',
    ],
    [
      "an unknown member attribute",
      { op: "add", path: "members", value: [{ value: "a", role: "x" }] },
      "invalidValue",
      'unknown attribute "Operations[0].value[0].role"',
    ],
  ])("rejects %s", (_, op, scimType, detail) => {
    expect(errorOf(() => split(op))).toEqual({ status: 400, scimType, detail });
  });

  it("rejects more than MAX_MEMBER_OPS_VALUES member values in one request", () => {
    const value = Array.from({ length: MAX_MEMBER_OPS_VALUES / 2 + 1 }, (_, i) => ({ value: `u${i}` }));
    expect(
      errorOf(() => split({ op: "add", path: "members", value }, { op: "remove", path: "members", value })),
    ).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail: `a PATCH may name at most ${MAX_MEMBER_OPS_VALUES} member values`,
    });
  });

  it("rejects an oversized member list before parsing it", () => {
    const value = Array.from({ length: MAX_MEMBER_OPS_VALUES + 1 }, () => 42);
    expect(errorOf(() => split({ op: "add", path: "members", value }))).toMatchObject({
      detail: `a PATCH may name at most ${MAX_MEMBER_OPS_VALUES} member values`,
    });
  });

  it("does not reject a __proto__ member id, which is data", () => {
    expect(split({ op: "add", path: "members", value: [{ value: "__proto__" }] }).members).toEqual(
      delta(["__proto__"]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects a __proto__ key next to members in a path-less value", () => {
    const ops: PatchOperation[] = [
      JSON.parse('{"op":"add","value":{"members":[],"__proto__":{"polluted":1}}}'),
    ];
    expect(errorOf(() => splitGroupPatch(ops))).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail: 'forbidden attribute name "__proto__"',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("isMembersPath", () => {
  it.each([
    ["members", true],
    ["Members", true],
    [" members ", true],
    ['members[value eq "x"]', true],
    ["members.value", true],
    ["urn:ietf:params:scim:schemas:core:2.0:Group:members", true],
    ["membersCount", false],
    ["displayName", false],
    ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", false],
  ])("%s → %s", (path, expected) => {
    expect(isMembersPath(path)).toBe(expected);
  });
});
