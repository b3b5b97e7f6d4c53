import { describe, expect, it } from "vitest";
import { scimErrorFields as errorOf } from "../../test/helpers/scim-error.js";
import {
  MAX_MEMBER_ID_LENGTH,
  MAX_MULTI_VALUES,
  MAX_STRING_LENGTH,
  parseAttributeValue,
  parseMemberValue,
  parseResource,
  validateDoc,
} from "./resource.js";
import {
  SCIM_ENTERPRISE_SCHEMA as ENT,
  ENTRA_ADSCIM_GROUP_SCHEMA,
  GROUP_RESOURCE,
  SCIM_GROUP_SCHEMA,
  SCIM_USER_SCHEMA,
  USER_RESOURCE,
} from "./schema-defs.js";

// biome-ignore lint/suspicious/noTemplateCurlyInString: the reference tests send this JMeter placeholder literally.
const JMETER_UUID = "${__UUID}";

const user = (extra: Record<string, unknown> = {}) => ({
  schemas: [SCIM_USER_SCHEMA],
  userName: "bjensen",
  ...extra,
});

describe("parseResource: Entra and reference-test POST bodies", () => {
  it("normalises the tutorial's create-user body: drops client meta and roles: [], keeps values as sent", () => {
    const body = {
      schemas: [SCIM_USER_SCHEMA, ENT],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
      active: true,
      emails: [
        { primary: true, type: "work", value: "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com" },
      ],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
      [ENT]: {
        employeeNumber: "701984",
        department: "Tour Operations",
        manager: "26118915-6090-4610-87e4-49d8ca9f808d",
      },
    };
    expect(parseResource(USER_RESOURCE, body)).toEqual({
      doc: {
        externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        active: true,
        emails: [
          {
            primary: true,
            type: "work",
            value: "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com",
          },
        ],
        name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
        [ENT]: {
          employeeNumber: "701984",
          department: "Tour Operations",
          manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" },
        },
      },
    });
  });

  it("accepts the reference tests' enterprise user with capitalised keys and canonicalises them", () => {
    const body = {
      userName: "UserName222",
      active: true,
      displayName: "lennay",
      schemas: [ENT, SCIM_USER_SCHEMA],
      externalId: JMETER_UUID,
      emails: [
        { Primary: true, type: "work", value: "testing@bob2.com" },
        { Primary: false, type: "home", value: "testinghome@bob3.com" },
      ],
      [ENT]: { Department: "bob", Manager: { Value: "SuzzyQ" } },
    };
    const { doc } = parseResource(USER_RESOURCE, body);
    expect(doc.emails).toEqual([
      { primary: true, type: "work", value: "testing@bob2.com" },
      { primary: false, type: "home", value: "testinghome@bob3.com" },
    ]);
    expect(doc[ENT]).toEqual({ department: "bob", manager: { value: "SuzzyQ" } });
    expect(doc.externalId).toBe(JMETER_UUID);
  });

  it('coerces the garbage user\'s "active": "True" and drops nulls inside addresses and name', () => {
    const { doc } = parseResource(
      USER_RESOURCE,
      user({
        active: "True",
        addresses: [
          { country: null, formatted: "18522 Lisa Unions", locality: null, type: "other", primary: false },
        ],
        name: { formatted: "Daniel Mcgee", honorificPrefix: null },
        meta: { created: "2019-09-18T18:15:26.5788954+00:00", resourceType: "User" },
      }),
    );
    expect(doc).toEqual({
      userName: "bjensen",
      active: true,
      addresses: [{ formatted: "18522 Lisa Unions", type: "other", primary: false }],
      name: { formatted: "Daniel Mcgee" },
    });
  });

  it("ignores the tutorial's Example 2 nulls and its typo'd enterprise URN in schemas", () => {
    const body = {
      schemas: [SCIM_USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      addresses: null,
      phoneNumbers: null,
      title: null,
    };
    expect(parseResource(USER_RESOURCE, body).doc).toEqual({
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
    });
  });

  it("accepts extension data whose URN is missing from schemas, under a differently cased URN key", () => {
    const { doc } = parseResource(USER_RESOURCE, user({ [ENT.toUpperCase()]: { costCenter: "4130" } }));
    expect(doc).toEqual({ userName: "bjensen", [ENT]: { costCenter: "4130" } });
  });

  it("accepts Entra's group create with the ADSCIM schema URI and client meta", () => {
    const body = {
      schemas: [SCIM_GROUP_SCHEMA, ENTRA_ADSCIM_GROUP_SCHEMA],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "displayName",
      meta: { resourceType: "Group" },
    };
    expect(parseResource(GROUP_RESOURCE, body)).toEqual({
      doc: { externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", displayName: "displayName" },
    });
  });

  it("returns group members separately, deduplicated, ignoring $ref, display and type", () => {
    const body = {
      schemas: [SCIM_GROUP_SCHEMA],
      displayName: "putName",
      members: [{ value: "u1", display: "VP" }, { value: "u2", $ref: null, type: "User" }, { value: "u1" }],
    };
    expect(parseResource(GROUP_RESOURCE, body)).toEqual({
      doc: { displayName: "putName" },
      members: ["u1", "u2"],
    });
  });

  it('returns members: [] for "members": [] so a PUT can empty the group', () => {
    const body = { schemas: [SCIM_GROUP_SCHEMA], displayName: "g", members: [] };
    expect(parseResource(GROUP_RESOURCE, body)).toEqual({ doc: { displayName: "g" }, members: [] });
  });

  it.each([
    ["a bare id string", "mgr-1", { value: "mgr-1" }],
    ["a {value} object", { value: "mgr-1" }, { value: "mgr-1" }],
    [
      "the old [{value,$ref}] array",
      [{ value: "mgr-1", $ref: "../Users/mgr-1" }],
      { value: "mgr-1", $ref: "../Users/mgr-1" },
    ],
    ["an empty string (cleared)", "", undefined],
    ["an object with an empty value (cleared)", { value: "" }, undefined],
    ["a client-sent displayName (read-only, ignored)", { value: "m", displayName: "Boss" }, { value: "m" }],
  ])("stores a manager given as %s", (_, manager, expected) => {
    const { doc } = parseResource(USER_RESOURCE, user({ [ENT]: { manager } }));
    expect(doc[ENT]).toEqual(expected === undefined ? undefined : { manager: expected });
  });

  it.each([
    ["id", "2819c223"],
    ["meta", { resourceType: "User" }],
    ["groups", [{ value: "g1" }]],
    ["password", "t1meMa$heen"],
    ["Schemas", [SCIM_USER_SCHEMA]],
  ])("ignores the read-only or never-stored attribute %s", (key, value) => {
    expect(parseResource(USER_RESOURCE, user({ [key]: value })).doc).toEqual({ userName: "bjensen" });
  });

  it("keeps values exactly as sent: no trimming, no case changes, no phone formatting", () => {
    const { doc } = parseResource(
      USER_RESOURCE,
      user({ userName: " MiXeD@Example.COM ", phoneNumbers: [{ type: "work", value: "55555555555" }] }),
    );
    expect(doc).toEqual({
      userName: " MiXeD@Example.COM ",
      phoneNumbers: [{ type: "work", value: "55555555555" }],
    });
  });

  it("does not enforce unique types within a multi-valued attribute", () => {
    const emails = [
      { type: "work", value: "a@x" },
      { type: "work", value: "b@x" },
    ];
    expect(parseResource(USER_RESOURCE, user({ emails })).doc.emails).toEqual(emails);
  });

  it("ignores unknown attributes when asked to (the reference tests' misspelled adreses)", () => {
    const body = user({ adreses: [{ country: "Germany" }], name: { foo: "x", givenName: "B" } });
    expect(parseResource(USER_RESOURCE, body, { unknownAttributes: "ignore" }).doc).toEqual({
      userName: "bjensen",
      name: { givenName: "B" },
    });
  });

  it("accepts a body without schemas when requireSchemas is false", () => {
    expect(parseResource(USER_RESOURCE, { userName: "x" }, { requireSchemas: false }).doc).toEqual({
      userName: "x",
    });
  });
});

describe("parseResource: errors", () => {
  const core = SCIM_USER_SCHEMA;
  it.each([
    ["a non-object body", [], "invalidSyntax", "request body must be a JSON object"],
    [
      "a missing schemas",
      { userName: "x" },
      "invalidSyntax",
      `"schemas" must be an array containing "${core}"`,
    ],
    [
      "a schemas string",
      { schemas: core, userName: "x" },
      "invalidSyntax",
      `"schemas" must be an array containing "${core}"`,
    ],
    [
      "the wrong core schema",
      { schemas: [SCIM_GROUP_SCHEMA], userName: "x" },
      "invalidSyntax",
      `"schemas" must be an array containing "${core}"`,
    ],
    ["a missing userName", { schemas: [core] }, "invalidValue", 'attribute "userName" is required'],
    ["an empty userName", user({ userName: "" }), "invalidValue", 'attribute "userName" is required'],
    ["a numeric userName", user({ userName: 42 }), "invalidValue", 'attribute "userName" must be a string'],
    ["an unknown attribute", user({ adreses: [] }), "invalidValue", 'unknown attribute "adreses"'],
    [
      "an unknown sub-attribute",
      user({ name: { nick: "B" } }),
      "invalidValue",
      'unknown attribute "name.nick"',
    ],
    [
      "an unknown extension attribute",
      user({ [ENT]: { badge: "1" } }),
      "invalidValue",
      `unknown attribute "${ENT}:badge"`,
    ],
    [
      "an unknown extension URN",
      user({ "urn:ietf:params:scim:schemas:extension:Custom:2.0:User": { a: 1 } }),
      "invalidValue",
      'unknown attribute "urn:ietf:params:scim:schemas:extension:Custom:2.0:User"',
    ],
    ["a non-boolean active", user({ active: "yes" }), "invalidValue", 'attribute "active" must be a boolean'],
    [
      "a non-boolean primary",
      user({ emails: [{ value: "a" }, { value: "b", primary: 1 }] }),
      "invalidValue",
      'attribute "emails[1].primary" must be a boolean',
    ],
    [
      "a single object for a multi-valued attribute",
      user({ emails: { value: "a@x" } }),
      "invalidValue",
      'attribute "emails" must be an array',
    ],
    [
      "a string for a complex attribute",
      user({ name: "Babs" }),
      "invalidValue",
      'attribute "name" must be an object',
    ],
    [
      "an extension that is not an object",
      user({ [ENT]: "x" }),
      "invalidValue",
      `attribute "${ENT}" must be an object`,
    ],
    [
      "two primary values",
      user({
        emails: [
          { value: "a", primary: true },
          { value: "b", primary: "True" },
        ],
      }),
      "invalidValue",
      'attribute "emails" has more than one primary value',
    ],
    [
      "a manager array of two",
      user({ [ENT]: { manager: [{ value: "a" }, { value: "b" }] } }),
      "invalidValue",
      `attribute "${ENT}:manager" must be a single value`,
    ],
    [
      "a manager number",
      user({ [ENT]: { manager: 7 } }),
      "invalidValue",
      `attribute "${ENT}:manager" must be an object`,
    ],
    [
      "the same attribute twice in different case",
      user({ title: "a", Title: "b" }),
      "invalidValue",
      'duplicate attribute "title"',
    ],
  ])("rejects %s", (_, body, scimType, detail) => {
    expect(errorOf(() => parseResource(USER_RESOURCE, body))).toEqual({ status: 400, scimType, detail });
  });

  it.each([
    ["a missing displayName", { schemas: [SCIM_GROUP_SCHEMA] }, 'attribute "displayName" is required'],
    [
      "a member without value",
      { schemas: [SCIM_GROUP_SCHEMA], displayName: "g", members: [{ display: "x" }] },
      'attribute "members[0].value" must be a non-empty string',
    ],
    [
      "a member with an empty value",
      { schemas: [SCIM_GROUP_SCHEMA], displayName: "g", members: [{ value: "" }] },
      'attribute "members[0].value" must be a non-empty string',
    ],
    [
      "members that are not an array",
      { schemas: [SCIM_GROUP_SCHEMA], displayName: "g", members: { value: "u1" } },
      'attribute "members" must be an array',
    ],
  ])("rejects a group with %s", (_, body, detail) => {
    expect(errorOf(() => parseResource(GROUP_RESOURCE, body))).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail,
    });
  });

  it("rejects a member id longer than MAX_MEMBER_ID_LENGTH", () => {
    const body = {
      schemas: [SCIM_GROUP_SCHEMA],
      displayName: "g",
      members: [{ value: "m".repeat(MAX_MEMBER_ID_LENGTH + 1) }],
    };
    expect(errorOf(() => parseResource(GROUP_RESOURCE, body))).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail: `attribute "members[0].value" is longer than ${MAX_MEMBER_ID_LENGTH} characters`,
    });
  });

  it("rejects more than MAX_MULTI_VALUES values", () => {
    const emails = Array.from({ length: MAX_MULTI_VALUES + 1 }, (_, i) => ({ value: `u${i}@x` }));
    expect(errorOf(() => parseResource(USER_RESOURCE, user({ emails })))).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail: `attribute "emails" has more than ${MAX_MULTI_VALUES} values`,
    });
  });

  it("rejects strings longer than MAX_STRING_LENGTH", () => {
    expect(
      errorOf(() => parseResource(USER_RESOURCE, user({ title: "x".repeat(MAX_STRING_LENGTH + 1) }))),
    ).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail: `attribute "title" is longer than ${MAX_STRING_LENGTH} characters`,
    });
  });
});

describe("parseResource: prototype pollution", () => {
  it.each([
    ["a top-level __proto__", '{"__proto__":{"polluted":1}}', 'forbidden attribute name "__proto__"'],
    [
      "a nested __proto__",
      '{"name":{"__proto__":{"polluted":1}}}',
      'forbidden attribute name "__proto__" in "name"',
    ],
    [
      "a constructor key",
      '{"constructor":{"prototype":{"polluted":1}}}',
      'forbidden attribute name "constructor"',
    ],
    ["a prototype key in meta", '{"meta":{"prototype":1}}', 'forbidden attribute name "prototype" in "meta"'],
    [
      "a __proto__ inside an extension",
      `{"${ENT}":{"__proto__":{"polluted":1}}}`,
      `forbidden attribute name "__proto__" in "${ENT}"`,
    ],
    [
      "a __proto__ in an array element",
      '{"emails":[{"__proto__":{"polluted":1}}]}',
      'forbidden attribute name "__proto__" in "emails[0]"',
    ],
  ])("rejects %s with 400 invalidValue and pollutes nothing", (_, extra, detail) => {
    const body = { ...user(), ...JSON.parse(extra) };
    // JSON.parse creates an own "__proto__" key; the spread above keeps it own via CreateDataProperty.
    const withProto = JSON.parse(`{"schemas":["${SCIM_USER_SCHEMA}"],"userName":"x",${extra.slice(1)}`);
    for (const b of [body, withProto]) {
      expect(errorOf(() => parseResource(USER_RESOURCE, b))).toEqual({
        status: 400,
        scimType: "invalidValue",
        detail,
      });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never reads inherited properties: toString and hasOwnProperty are unknown attributes", () => {
    expect(errorOf(() => parseResource(USER_RESOURCE, user({ toString: "x" })))).toMatchObject({
      detail: 'unknown attribute "toString"',
    });
    expect(
      errorOf(() => parseResource(USER_RESOURCE, user({ name: { hasOwnProperty: "x" } }))),
    ).toMatchObject({
      detail: 'unknown attribute "name.hasOwnProperty"',
    });
  });
});

describe("validateDoc", () => {
  it("returns a valid doc unchanged", () => {
    const doc = { userName: "a", emails: [{ value: "a@x", primary: true }], [ENT]: { department: "d" } };
    expect(validateDoc(USER_RESOURCE, doc)).toEqual(doc);
  });

  it("prunes empty containers left behind by PATCH", () => {
    expect(validateDoc(USER_RESOURCE, { userName: "a", emails: [], name: {}, [ENT]: {} })).toEqual({
      userName: "a",
    });
  });

  it.each([
    [
      {
        emails: [
          { value: "a", primary: true },
          { value: "b", primary: true },
        ],
      },
      'attribute "emails" has more than one primary value',
    ],
    [{ userName: "" }, 'attribute "userName" is required'],
    [{ active: "maybe" }, 'attribute "active" must be a boolean'],
  ])("holds patched docs to the POST rules (%j)", (patch, detail) => {
    expect(errorOf(() => validateDoc(USER_RESOURCE, { userName: "a", ...patch }))).toEqual({
      status: 400,
      scimType: "invalidValue",
      detail,
    });
  });

  it("treats a group doc holding members as a programming error", () => {
    expect(() => validateDoc(GROUP_RESOURCE, { displayName: "g", members: [] })).toThrow(
      /must not contain members/,
    );
  });
});

describe("shared value parsers", () => {
  it("wraps a single value for a multi-valued attribute only when asked", () => {
    const emails = USER_RESOURCE.schema.attributes.find((a) => a.name === "emails")!;
    expect(parseAttributeValue(emails, { value: "a" }, "emails", { wrapSingle: true })).toEqual([
      { value: "a" },
    ]);
  });

  it.each([
    ["id", "id"],
    [{ value: "id", $ref: null, display: "d", displayName: "n", type: "User" }, "id"],
  ])("reads a member id from %j", (input, id) => {
    expect(parseMemberValue(input, "members[0]")).toBe(id);
  });
});
