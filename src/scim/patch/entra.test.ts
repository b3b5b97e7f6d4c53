/**
 * Entra conformance for the PATCH core: every PATCH body in ../shared/reference/entra-scim-client.md
 * §1.2, §1.4 and §2, in both dialects (default, and `?aadOptscim062020`), plus the Logic App validation
 * vectors (manager set/change/clear, null-update) replayed through parsePatchRequest → applyPatch.
 */
import { describe, expect, it } from "vitest";
import { parseResource } from "../resource.js";
import {
  SCIM_ENTERPRISE_SCHEMA as ENT,
  SCIM_PATCH_SCHEMA,
  SCIM_USER_SCHEMA,
  USER_RESOURCE,
} from "../schema-defs.js";
import type { ScimDoc } from "../types.js";
import { applyPatch } from "./apply.js";
import { parsePatchRequest } from "./parse-request.js";

/** Replays a PATCH body the way the HTTP layer will: parse, then apply. */
function replay(doc: ScimDoc, body: unknown): ScimDoc {
  return applyPatch(USER_RESOURCE, doc, parsePatchRequest(body));
}

const patchBody = (...Operations: unknown[]) => ({ schemas: [SCIM_PATCH_SCHEMA], Operations });

/** The tutorial's §1.2 create-user body, with the enterprise mappings present. */
const created = parseResource(USER_RESOURCE, {
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
  [ENT]: { employeeNumber: "1", department: "Sales" },
}).doc;

describe("Entra tutorial §1.2 PATCH bodies", () => {
  it("Update User [Multi-valued properties]: replaces the work email value and familyName", () => {
    const out = replay(
      created,
      patchBody(
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ),
    );
    expect(out.emails).toEqual([{ primary: true, type: "work", value: "updatedEmail@microsoft.com" }]);
    // name.formatted is Entra's own mapped attribute; scimgate does not recompute it.
    expect(out.name).toEqual({
      formatted: "givenName familyName",
      familyName: "updatedFamilyName",
      givenName: "givenName",
    });
  });

  it("Update User [Single-valued properties]: replaces userName", () => {
    const body = patchBody({
      op: "Replace",
      path: "userName",
      value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
    });
    expect(replay(created, body).userName).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
  });

  it("Disable User (as documented, with a real boolean and Operations before schemas)", () => {
    const body = {
      Operations: [{ op: "Replace", path: "active", value: false }],
      schemas: [SCIM_PATCH_SCHEMA],
    };
    expect(replay(created, body).active).toBe(false);
  });

  it('Update Group [Non-member attributes] shape works on a user attribute too ("Replace" displayName)', () => {
    const body = patchBody({ op: "Replace", path: "displayName", value: "1879db59-updatedDisplayName" });
    expect(replay(created, body).displayName).toBe("1879db59-updatedDisplayName");
  });
});

describe("Entra known-issues §2: default vs aadOptscim062020 dialect", () => {
  it.each([
    ["default", { op: "Replace", path: "active", value: "False" }, false],
    ["flag", { op: "replace", path: "active", value: false }, false],
    ["default re-enable", { op: "Replace", path: "active", value: "True" }, true],
    ["flag re-enable", { op: "replace", path: "active", value: true }, true],
    ["lower-cased Switch expression", { op: "Replace", path: "active", value: "false" }, false],
  ])("disables/enables a user (%s)", (_, op, active) => {
    const start = { ...created, active: !active };
    expect(replay(start, patchBody(op)).active).toBe(active);
  });

  it.each([
    ["default", { op: "Add", path: "nickName", value: "Babs" }],
    ["flag", { op: "add", path: "nickName", value: "Babs" }],
  ])("adds a single-value string attribute (%s)", (_, op) => {
    expect(replay(created, patchBody(op))).toEqual({ ...created, nickName: "Babs" });
  });

  const expectedAfterMulti = (suffix: {
    dn: string;
    email: string;
    given: string;
    family: string;
    ext: string;
  }) => ({
    ...created,
    displayName: suffix.dn,
    emails: [{ primary: true, type: "work", value: suffix.email }],
    name: { formatted: "givenName familyName", givenName: suffix.given, familyName: suffix.family },
    ...(suffix.ext === "Eqpj" ? { externalId: "Eqpj" } : {}),
    [ENT]: { employeeNumber: suffix.ext, department: "Sales" },
  });

  it("replaces multiple attributes, one op per attribute (default)", () => {
    const body = patchBody(
      { op: "Replace", path: "displayName", value: "Pvlo" },
      { op: "Replace", path: 'emails[type eq "work"].value', value: "TestBcwqnm@test.microsoft.com" },
      { op: "Replace", path: "name.givenName", value: "Gtfd" },
      { op: "Replace", path: "name.familyName", value: "Pkqf" },
      { op: "Replace", path: "externalId", value: "Eqpj" },
      { op: "Replace", path: `${ENT}:employeeNumber`, value: "Eqpj" },
    );
    expect(replay(created, body)).toEqual(
      expectedAfterMulti({
        dn: "Pvlo",
        email: "TestBcwqnm@test.microsoft.com",
        given: "Gtfd",
        family: "Pkqf",
        ext: "Eqpj",
      }),
    );
  });

  it("replaces multiple attributes in one path-less op with dotted and URN keys (flag)", () => {
    const body = patchBody(
      { op: "replace", path: 'emails[type eq "work"].value', value: "TestMhvaes@test.microsoft.com" },
      {
        op: "replace",
        value: {
          displayName: "Bjfe",
          "name.givenName": "Kkom",
          "name.familyName": "Unua",
          [`${ENT}:employeeNumber`]: "Aklq",
        },
      },
    );
    expect(replay(created, body)).toEqual(
      expectedAfterMulti({
        dn: "Bjfe",
        email: "TestMhvaes@test.microsoft.com",
        given: "Kkom",
        family: "Unua",
        ext: "Aklq",
      }),
    );
  });

  it("accepts a path-less value with a nested extension object under its URN key", () => {
    const body = patchBody({
      op: "replace",
      value: { [ENT]: { department: "Ops", manager: "m-9" }, title: "Lead" },
    });
    expect(replay(created, body)).toEqual({
      ...created,
      title: "Lead",
      [ENT]: { employeeNumber: "1", department: "Ops", manager: { value: "m-9" } },
    });
  });
});

describe("Entra filtered paths create the element when none matches (§0.4, §6.5)", () => {
  const bare = parseResource(USER_RESOURCE, { schemas: [SCIM_USER_SCHEMA], userName: "u" }).doc;
  it.each([
    ['emails[type eq "work"].value', "Replace", "w@x", "emails", { type: "work", value: "w@x" }],
    ['emails[type eq "work"].value', "Add", "w@x", "emails", { type: "work", value: "w@x" }],
    ['emails[type eq "other"].Value', "Add", "proxy@x", "emails", { type: "other", value: "proxy@x" }],
    [
      'addresses[type eq "work"].formatted',
      "Replace",
      "1 Main St",
      "addresses",
      { type: "work", formatted: "1 Main St" },
    ],
    [
      'addresses[type eq "other"].Formatted',
      "Replace",
      "Office 4",
      "addresses",
      { type: "other", formatted: "Office 4" },
    ],
    [
      'phoneNumbers[type eq "mobile"].value',
      "Replace",
      "55555555555",
      "phoneNumbers",
      { type: "mobile", value: "55555555555" },
    ],
    ['phoneNumbers[type eq "fax"].value', "Add", "+1 555", "phoneNumbers", { type: "fax", value: "+1 555" }],
  ])("%s (%s) creates %s", (path, op, value, attr, element) => {
    const out = replay(bare, patchBody({ op, path, value }));
    expect(out[attr]).toEqual([element]);
  });

  it("adds a second typed element beside an existing one instead of overwriting it", () => {
    const start = { ...bare, phoneNumbers: [{ type: "work", value: "1" }] };
    const out = replay(
      start,
      patchBody({ op: "Replace", path: 'phoneNumbers[type eq "mobile"].value', value: "2" }),
    );
    expect(out.phoneNumbers).toEqual([
      { type: "work", value: "1" },
      { type: "mobile", value: "2" },
    ]);
  });
});

describe("Entra manager vectors (Logic App validation, tutorial Example 5)", () => {
  const managerPath = `${ENT}:manager`;
  it("sets, changes and clears the manager with a bare id string", () => {
    const set = replay(created, patchBody({ op: "Add", path: managerPath, value: "mgr-1" }));
    expect(set[ENT]).toEqual({ employeeNumber: "1", department: "Sales", manager: { value: "mgr-1" } });
    const changed = replay(set, patchBody({ op: "replace", path: managerPath, value: "mgr-2" }));
    expect(changed[ENT]).toEqual({ employeeNumber: "1", department: "Sales", manager: { value: "mgr-2" } });
    const cleared = replay(changed, patchBody({ op: "replace", path: managerPath, value: "" }));
    expect(cleared[ENT]).toEqual({ employeeNumber: "1", department: "Sales" });
  });

  it("replaces a manager whole, so a new id never keeps the old $ref", () => {
    const start = { ...created, [ENT]: { manager: { value: "old", $ref: "../Users/old" } } };
    expect(replay(start, patchBody({ op: "Add", path: managerPath, value: "new" }))[ENT]).toEqual({
      manager: { value: "new" },
    });
  });

  it("sets the manager from the tutorial's Example 5 (path without URN, [{$ref, value}])", () => {
    const body = patchBody({
      op: "Add",
      path: "manager",
      value: [
        {
          $ref: "http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
          value: "00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        },
      ],
    });
    expect(replay(created, body)[ENT]).toMatchObject({
      manager: {
        $ref: "http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        value: "00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
      },
    });
  });

  it.each([
    ["the URN.attr form", `${ENT}.manager`, "m"],
    ["a {value} object", managerPath, { value: "m" }],
    ["manager.value", `${managerPath}.value`, "m"],
  ])("sets the manager through %s", (_, path, value) => {
    expect(replay(created, patchBody({ op: "replace", path, value }))[ENT]).toMatchObject({
      manager: { value: "m" },
    });
  });

  it("clears the manager with null and with remove", () => {
    const start = { ...created, [ENT]: { manager: { value: "m" } } };
    expect(replay(start, patchBody({ op: "replace", path: managerPath, value: null }))[ENT]).toBeUndefined();
    expect(replay(start, patchBody({ op: "Remove", path: managerPath }))[ENT]).toBeUndefined();
  });
});

/** Every optional attribute of the default non-gallery mapping (§1.4), with a value to set it to. */
const MAPPED: ReadonlyArray<[string, unknown]> = [
  ["displayName", "Pvlo"],
  ["title", "Engineer"],
  ['emails[type eq "work"].value', "w@x"],
  ["preferredLanguage", "en-US"],
  ["name.givenName", "Gtfd"],
  ["name.familyName", "Pkqf"],
  ["name.formatted", "Gtfd Pkqf"],
  ['addresses[type eq "work"].formatted', "1 Main St, Springfield"],
  ['addresses[type eq "work"].streetAddress', "1 Main St"],
  ['addresses[type eq "work"].locality', "Springfield"],
  ['addresses[type eq "work"].region', "IL"],
  ['addresses[type eq "work"].postalCode', "62701"],
  ['addresses[type eq "work"].country', "US"],
  ['phoneNumbers[type eq "work"].value', "555-0100"],
  ['phoneNumbers[type eq "mobile"].value', "555-0101"],
  ['phoneNumbers[type eq "fax"].value', "555-0102"],
  ["externalId", "Eqpj"],
  [`${ENT}:employeeNumber`, "701984"],
  [`${ENT}:department`, "Tour Operations"],
  [`${ENT}:manager`, "mgr-1"],
];

describe("Entra null-update test (Logic App validation)", () => {
  const start = parseResource(USER_RESOURCE, {
    schemas: [SCIM_USER_SCHEMA],
    userName: "nulls",
    active: true,
  }).doc;
  const full = replay(start, patchBody(...MAPPED.map(([path, value]) => ({ op: "Add", path, value }))));

  it("fills every mapped attribute first", () => {
    expect(full).toEqual({
      userName: "nulls",
      active: true,
      displayName: "Pvlo",
      title: "Engineer",
      emails: [{ type: "work", value: "w@x" }],
      preferredLanguage: "en-US",
      name: { givenName: "Gtfd", familyName: "Pkqf", formatted: "Gtfd Pkqf" },
      addresses: [
        {
          type: "work",
          formatted: "1 Main St, Springfield",
          streetAddress: "1 Main St",
          locality: "Springfield",
          region: "IL",
          postalCode: "62701",
          country: "US",
        },
      ],
      phoneNumbers: [
        { type: "work", value: "555-0100" },
        { type: "mobile", value: "555-0101" },
        { type: "fax", value: "555-0102" },
      ],
      externalId: "Eqpj",
      [ENT]: { employeeNumber: "701984", department: "Tour Operations", manager: { value: "mgr-1" } },
    });
  });

  it.each([
    ['""', ""],
    ["null", null],
  ])("clears every mapped attribute with %s, one verbose op per attribute", (_, empty) => {
    const ops = MAPPED.map(([path]) => ({ op: "Replace", path, value: empty }));
    expect(replay(full, patchBody(...ops))).toEqual(start);
  });

  it.each([
    ['""', ""],
    ["null", null],
  ])("clears every mapped attribute with %s in one batched path-less op", (_, empty) => {
    const value = Object.fromEntries(MAPPED.map(([path]) => [path, empty]));
    expect(replay(full, patchBody({ op: "replace", value }))).toEqual(start);
  });

  it.each(MAPPED)('clears %s alone with "" and then null is a no-op', (path) => {
    const once = replay(full, patchBody({ op: "Replace", path, value: "" }));
    expect(replay(once, patchBody({ op: "Replace", path, value: null }))).toEqual(once);
    expect(once).not.toEqual(full);
  });
});

describe("Entra roles shapes (§1.4)", () => {
  const roleJson = (n: number) =>
    JSON.stringify({
      id: `06b07648-0000-0000-0000-00000000000${n}`,
      value: `${n}5`,
      displayName: `Role${n}`,
    });

  it("accepts SingleAppRoleAssignment roles on create", () => {
    const body = {
      schemas: [SCIM_USER_SCHEMA],
      userName: "r",
      roles: [{ primary: true, type: "WindowsAzureActiveDirectoryRole", value: "Admin" }],
    };
    expect(parseResource(USER_RESOURCE, body).doc.roles).toEqual(body.roles);
  });

  it("keeps JSON-encoded string role values exactly as sent and appends on Add (AppRoleAssignmentsComplex)", () => {
    const one = replay(created, patchBody({ op: "Add", path: "roles", value: [{ value: roleJson(1) }] }));
    const two = replay(one, patchBody({ op: "Add", path: "roles", value: [{ value: roleJson(2) }] }));
    expect(two.roles).toEqual([{ value: roleJson(1) }, { value: roleJson(2) }]);
    // Entra re-sends the same Add each cycle when it thinks the role is missing; no duplicate appears.
    expect(
      replay(two, patchBody({ op: "Add", path: "roles", value: [{ value: roleJson(1) }] })).roles,
    ).toEqual(two.roles);
  });

  it("replaces the full list (AssertiveAppRoleAssignmentsComplex)", () => {
    const start = { ...created, roles: [{ value: roleJson(1) }, { value: roleJson(2) }] };
    const body = patchBody({ op: "replace", path: "roles", value: [{ value: roleJson(3), primary: false }] });
    expect(replay(start, body).roles).toEqual([{ value: roleJson(3), primary: false }]);
  });

  it("clears all roles with an empty replace list", () => {
    const start = { ...created, roles: [{ value: roleJson(1) }] };
    expect(replay(start, patchBody({ op: "replace", path: "roles", value: [] })).roles).toBeUndefined();
  });
});
