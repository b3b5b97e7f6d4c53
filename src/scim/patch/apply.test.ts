import { describe, expect, it } from "vitest";
import { scimErrorFields as errorOf } from "../../../test/helpers/scim-error.js";
import { MAX_MULTI_VALUES } from "../resource.js";
import { SCIM_ENTERPRISE_SCHEMA as ENT, GROUP_RESOURCE, USER_RESOURCE } from "../schema-defs.js";
import type { PatchOperation, ScimDoc } from "../types.js";
import { applyPatch } from "./apply.js";

const base: ScimDoc = {
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  emails: [
    { type: "work", value: "bjensen@example.com", primary: true },
    { type: "home", value: "babs@jensen.org" },
  ],
  [ENT]: { department: "Tour Operations", manager: { value: "m1", $ref: "../Users/m1" } },
};

const patch = (...ops: PatchOperation[]) => applyPatch(USER_RESOURCE, base, ops);

describe("applyPatch: RFC 7644 §3.5.2 semantics", () => {
  it.each<[string, PatchOperation[], ScimDoc]>([
    [
      "add sets a single-valued attribute",
      [{ op: "add", path: "nickName", value: "Babs" }],
      { ...base, nickName: "Babs" },
    ],
    [
      "add on a set single-valued attribute replaces it",
      [{ op: "add", path: "userName", value: "barbara" }],
      { ...base, userName: "barbara" },
    ],
    [
      "add on a complex attribute merges sub-attributes",
      [{ op: "add", path: "name", value: { middleName: "Jane", givenName: "Babs" } }],
      { ...base, name: { givenName: "Babs", familyName: "Jensen", middleName: "Jane" } },
    ],
    [
      "replace on a complex attribute replaces it whole",
      [{ op: "replace", path: "name", value: { formatted: "Ms. Barbara J Jensen" } }],
      { ...base, name: { formatted: "Ms. Barbara J Jensen" } },
    ],
    [
      "a sub-attribute path sets one sub-attribute",
      [{ op: "replace", path: "name.givenName", value: "Babs" }],
      { ...base, name: { givenName: "Babs", familyName: "Jensen" } },
    ],
    [
      "a sub-attribute path creates the complex attribute when absent",
      [
        { op: "remove", path: "name" },
        { op: "add", path: "name.honorificPrefix", value: "Ms." },
      ],
      { ...base, name: { honorificPrefix: "Ms." } },
    ],
    [
      "add on a multi-valued attribute appends",
      [{ op: "add", path: "emails", value: [{ type: "other", value: "b@x.org" }] }],
      { ...base, emails: [...(base.emails as object[]), { type: "other", value: "b@x.org" }] },
    ],
    [
      "add skips a value identical to an existing one",
      [{ op: "add", path: "emails", value: [{ value: "babs@jensen.org", type: "home" }] }],
      base,
    ],
    [
      "add of a new primary value demotes the old primary",
      [{ op: "add", path: "emails", value: [{ type: "other", value: "n@x", primary: "True" }] }],
      {
        ...base,
        emails: [
          { type: "work", value: "bjensen@example.com", primary: false },
          { type: "home", value: "babs@jensen.org" },
          { type: "other", value: "n@x", primary: true },
        ],
      },
    ],
    [
      "replace on a multi-valued attribute without a filter replaces the whole list",
      [{ op: "replace", path: "emails", value: [{ type: "home", value: "only@x" }] }],
      { ...base, emails: [{ type: "home", value: "only@x" }] },
    ],
    [
      "replace with a filter replaces the matching value, keeping the filter's eq terms",
      [{ op: "replace", path: 'emails[type eq "home"]', value: { value: "new@x" } }],
      { ...base, emails: [(base.emails as object[])[0], { type: "home", value: "new@x" }] },
    ],
    [
      "add with a filter merges into the matching value",
      [{ op: "add", path: 'emails[type eq "home"]', value: { display: "Home" } }],
      {
        ...base,
        emails: [(base.emails as object[])[0], { type: "home", value: "babs@jensen.org", display: "Home" }],
      },
    ],
    [
      "a filtered sub-attribute path sets that sub-attribute on the matches",
      [{ op: "replace", path: 'emails[type eq "work"].value', value: "w@x" }],
      { ...base, emails: [{ type: "work", value: "w@x", primary: true }, (base.emails as object[])[1]] },
    ],
    [
      "setting primary through a filter demotes the other primary",
      [{ op: "replace", path: 'emails[type eq "home"].primary', value: true }],
      {
        ...base,
        emails: [
          { type: "work", value: "bjensen@example.com", primary: false },
          { type: "home", value: "babs@jensen.org", primary: true },
        ],
      },
    ],
    [
      "a filter-miss with an and of eq terms creates the element with those terms",
      [{ op: "replace", path: 'phoneNumbers[type eq "work" and primary eq true].value', value: "555" }],
      { ...base, phoneNumbers: [{ type: "work", primary: true, value: "555" }] },
    ],
    [
      "a sub-attribute path without a filter applies to every value",
      [{ op: "replace", path: "emails.display", value: "E" }],
      {
        ...base,
        emails: [
          { type: "work", value: "bjensen@example.com", primary: true, display: "E" },
          { type: "home", value: "babs@jensen.org", display: "E" },
        ],
      },
    ],
    [
      "remove drops an attribute",
      [{ op: "remove", path: "name" }],
      { userName: "bjensen", emails: base.emails, [ENT]: base[ENT] },
    ],
    [
      "remove of a sub-attribute keeps the rest",
      [{ op: "remove", path: "name.givenName" }],
      { ...base, name: { familyName: "Jensen" } },
    ],
    [
      "remove with a filter drops the matching values",
      [{ op: "remove", path: 'emails[type eq "work"]' }],
      { ...base, emails: [{ type: "home", value: "babs@jensen.org" }] },
    ],
    [
      "remove of a filtered sub-attribute drops an element left with only type and primary",
      [{ op: "remove", path: 'emails[type eq "work"].value' }],
      { ...base, emails: [{ type: "home", value: "babs@jensen.org" }] },
    ],
    [
      "remove of a filtered sub-attribute keeps an element that still holds data",
      [{ op: "remove", path: 'emails[type eq "home"].type' }],
      { ...base, emails: [(base.emails as object[])[0], { value: "babs@jensen.org" }] },
    ],
    [
      "remove with a value removes the values that equal it (scimmy)",
      [{ op: "remove", path: "emails", value: { type: "home" } }],
      { ...base, emails: [(base.emails as object[])[0]] },
    ],
    ["remove of an absent attribute is a no-op", [{ op: "remove", path: "title" }], base],
    [
      "remove of the last value drops the attribute",
      [{ op: "remove", path: 'emails[value co "@"]' }],
      {
        userName: "bjensen",
        name: base.name,
        [ENT]: base[ENT],
      },
    ],
    [
      "an extension attribute is addressed by URN:attr",
      [{ op: "replace", path: `${ENT}:department`, value: "Ops" }],
      { ...base, [ENT]: { department: "Ops", manager: { value: "m1", $ref: "../Users/m1" } } },
    ],
    [
      "an extension attribute is addressed by the pre-2018 URN.attr form",
      [{ op: "replace", path: `${ENT}.costCenter`, value: "4130" }],
      { ...base, [ENT]: { ...(base[ENT] as object), costCenter: "4130" } },
    ],
    [
      "a bare extension URN path replaces the given extension attributes",
      [{ op: "replace", path: ENT, value: { Department: "Ops", employeeNumber: "7" } }],
      {
        ...base,
        [ENT]: { department: "Ops", manager: { value: "m1", $ref: "../Users/m1" }, employeeNumber: "7" },
      },
    ],
    [
      "remove of a bare extension URN drops the whole extension",
      [{ op: "remove", path: ENT }],
      { userName: "bjensen", name: base.name, emails: base.emails },
    ],
    [
      "removing the last extension attribute drops the extension object",
      [
        { op: "remove", path: `${ENT}:department` },
        { op: "remove", path: `${ENT}:manager` },
      ],
      { userName: "bjensen", name: base.name, emails: base.emails },
    ],
    [
      "attribute names in paths are case-insensitive and stored canonically",
      [{ op: "Replace" as "replace", path: "NAME.GIVENNAME", value: "B" }],
      { ...base, name: { givenName: "B", familyName: "Jensen" } },
    ],
    ["a password is accepted and dropped", [{ op: "replace", path: "password", value: "s3cret" }], base],
    [
      "operations apply in order",
      [
        { op: "replace", path: "title", value: "a" },
        { op: "replace", path: "title", value: "b" },
        { op: "remove", path: "nickName" },
      ],
      { ...base, title: "b" },
    ],
  ])("%s", (_, ops, expected) => {
    expect(patch(...ops)).toEqual(expected);
  });

  it("never mutates the input doc or the operation values", () => {
    const doc = structuredClone(base);
    const value = [{ type: "other", value: "o@x" }];
    const out = applyPatch(USER_RESOURCE, doc, [
      { op: "add", path: "emails", value },
      { op: "replace", path: 'emails[type eq "work"].value', value: "w@x" },
      { op: "replace", path: `${ENT}:manager`, value: "m2" },
    ]);
    expect(doc).toEqual(base);
    expect(value).toEqual([{ type: "other", value: "o@x" }]);
    (out.emails as Array<Record<string, unknown>>)[2]!.value = "changed";
    expect(value[0]!.value).toBe("o@x");
  });

  it("patches group attributes other than members", () => {
    expect(
      applyPatch(GROUP_RESOURCE, { displayName: "g" }, [
        { op: "Replace" as "replace", path: "displayName", value: "h" },
      ]),
    ).toEqual({ displayName: "h" });
  });

  it("throws a programming error (not a SCIMError) when a group op reaches members", () => {
    const run = () =>
      applyPatch(GROUP_RESOURCE, { displayName: "g" }, [
        { op: "add", path: "members", value: [{ value: "u" }] },
      ]);
    expect(run).toThrow(/splitGroupPatch/);
    expect(() =>
      applyPatch(GROUP_RESOURCE, { displayName: "g" }, [{ op: "add", value: { members: [] } }]),
    ).toThrow(/splitGroupPatch/);
  });
});

describe("applyPatch: errors", () => {
  it.each<[string, PatchOperation, string, string]>([
    [
      "an unknown attribute",
      { op: "replace", path: "nickname2", value: "x" },
      "invalidPath",
      'unknown attribute "nickname2"',
    ],
    [
      "an unknown sub-attribute",
      { op: "replace", path: "name.nick", value: "x" },
      "invalidPath",
      'unknown attribute "name.nick"',
    ],
    [
      "an unknown extension attribute",
      { op: "replace", path: `${ENT}:badge`, value: "x" },
      "invalidPath",
      `unknown attribute "${ENT}:badge"`,
    ],
    [
      "an unknown path-less key",
      { op: "replace", value: { nickName: "B", adreses: [] } },
      "invalidPath",
      'unknown attribute "adreses"',
    ],
    [
      "a sub-attribute of a simple attribute",
      { op: "replace", path: "userName.x", value: "x" },
      "invalidPath",
      'attribute "userName" has no sub-attributes',
    ],
    [
      "a value filter on a single-valued attribute",
      { op: "replace", path: 'name[givenName eq "B"]', value: {} },
      "invalidPath",
      'attribute "name" is not multi-valued, so it cannot take a value filter',
    ],
    [
      "a non-boolean active",
      { op: "replace", path: "active", value: "yes" },
      "invalidValue",
      'attribute "active" must be a boolean',
    ],
    [
      "a non-boolean filtered primary",
      { op: "replace", path: 'emails[type eq "work"].primary', value: 1 },
      "invalidValue",
      'attribute "emails[type eq "work"].primary" must be a boolean',
    ],
    [
      "a string for a complex attribute",
      { op: "replace", path: "name", value: "Babs" },
      "invalidValue",
      'attribute "name" must be an object',
    ],
    [
      "an unknown sub-attribute in a value",
      { op: "add", path: "emails", value: [{ value: "x", kind: "work" }] },
      "invalidValue",
      'unknown attribute "emails[0].kind"',
    ],
    [
      "two primary values in one add",
      {
        op: "add",
        path: "emails",
        value: [
          { value: "a", primary: true },
          { value: "b", primary: true },
        ],
      },
      "invalidValue",
      'attribute "emails" has more than one primary value',
    ],
    [
      "a path-less string value",
      { op: "add", value: "x" },
      "invalidValue",
      'a path-less "add" operation needs an object "value"',
    ],
    [
      "clearing userName",
      { op: "replace", path: "userName", value: "" },
      "invalidValue",
      'attribute "userName" is required',
    ],
    [
      "removing userName",
      { op: "remove", path: "userName" },
      "invalidValue",
      'attribute "userName" is required',
    ],
    ["writing id", { op: "replace", path: "id", value: "x" }, "mutability", 'attribute "id" is read-only'],
    [
      "writing meta",
      { op: "replace", path: "meta.created", value: "x" },
      "mutability",
      'attribute "meta" is read-only',
    ],
    [
      "writing groups",
      { op: "add", path: "groups", value: [{ value: "g" }] },
      "mutability",
      'attribute "groups" is read-only',
    ],
    [
      "writing the manager's displayName",
      { op: "replace", path: `${ENT}:manager.displayName`, value: "Boss" },
      "mutability",
      `attribute "${ENT}:manager.displayName" is read-only`,
    ],
    ["a path-less id", { op: "replace", value: { id: "x" } }, "mutability", 'attribute "id" is read-only'],
    [
      "a filter-miss with a filter that is not eq terms",
      { op: "replace", path: 'emails[type co "fax"].value', value: "x" },
      "noTarget",
      'no value matches "emails[type co "fax"].value", and only "eq" filters joined by "and" can create one',
    ],
  ])("rejects %s", (_, op, scimType, detail) => {
    expect(errorOf(() => patch(op))).toEqual({ status: 400, scimType, detail });
  });

  it("rejects growing a list past MAX_MULTI_VALUES within one request", () => {
    const value = (from: number) => Array.from({ length: 60 }, (_, i) => ({ value: `e${from + i}@x` }));
    const run = () =>
      patch({ op: "add", path: "emails", value: value(0) }, { op: "add", path: "emails", value: value(60) });
    expect(errorOf(run)).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail: `attribute "emails" has more than ${MAX_MULTI_VALUES} values`,
    });
  });

  it("rejects a malformed path with 400 invalidPath", () => {
    expect(errorOf(() => patch({ op: "replace", path: 'emails[type eq "work"', value: "x" }))).toMatchObject({
      status: 400,
      scimType: "invalidPath",
    });
  });
});

describe("applyPatch: prototype pollution", () => {
  it.each([
    ["__proto__", 'forbidden attribute name "__proto__" in path "__proto__"'],
    ["__proto__.polluted", 'forbidden attribute name "__proto__" in path "__proto__.polluted"'],
    [
      "constructor.prototype.polluted",
      'forbidden attribute name "constructor" in path "constructor.prototype.polluted"',
    ],
    ["name.__proto__", 'forbidden attribute name "__proto__" in path "name.__proto__"'],
    [
      'emails[type eq "x"].constructor',
      'forbidden attribute name "constructor" in path "emails[type eq "x"].constructor"',
    ],
    [`${ENT}:prototype`, `forbidden attribute name "prototype" in path "${ENT}:prototype"`],
  ])("rejects the path %s with 400 invalidPath", (path, detail) => {
    for (const op of ["add", "replace", "remove"] as const) {
      expect(errorOf(() => patch({ op, path, value: { polluted: true } }))).toEqual({
        status: 400,
        scimType: "invalidPath",
        detail,
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["toString.x", 'unknown attribute "toString"'],
    ["hasOwnProperty", 'unknown attribute "hasOwnProperty"'],
    ["name.toString", 'unknown attribute "name.toString"'],
  ])("treats the inherited name %s as an unknown attribute", (path, detail) => {
    expect(errorOf(() => patch({ op: "replace", path, value: "x" }))).toEqual({
      status: 400,
      scimType: "invalidPath",
      detail,
    });
  });

  it.each([
    [
      "a path-less __proto__ key",
      '{"op":"add","value":{"__proto__":{"polluted":true}}}',
      'forbidden attribute name "__proto__"',
    ],
    [
      "a path-less constructor key",
      '{"op":"replace","value":{"constructor":{"prototype":{"polluted":true}}}}',
      'forbidden attribute name "constructor"',
    ],
    [
      "a __proto__ key inside a complex value",
      '{"op":"add","path":"name","value":{"__proto__":{"polluted":true}}}',
      'forbidden attribute name "__proto__" in "name"',
    ],
    [
      "a __proto__ key inside an extension object",
      `{"op":"add","value":{"${ENT}":{"__proto__":{"polluted":true}}}}`,
      `forbidden attribute name "__proto__" in "${ENT}"`,
    ],
    [
      "a __proto__ key inside a multi-valued element",
      '{"op":"add","path":"emails","value":[{"value":"x","__proto__":{"polluted":true}}]}',
      'forbidden attribute name "__proto__" in "emails[0]"',
    ],
  ])("rejects %s with 400 invalidValue", (_, json, detail) => {
    const op = JSON.parse(json) as PatchOperation;
    expect(errorOf(() => patch(op))).toEqual({ status: 400, scimType: "invalidValue", detail });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it('treats "__proto__" inside a quoted filter value as data', () => {
    expect(patch({ op: "replace", path: 'ims[type eq "__proto__"].value', value: "x" }).ims).toEqual([
      { type: "__proto__", value: "x" },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
