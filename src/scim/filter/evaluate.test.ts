import { describe, expect, it } from "vitest";
import { catchSCIMError } from "../../../test/helpers/scim-error.js";
import {
  type AttributeDef,
  findAttribute,
  GROUP_RESOURCE,
  SCIM_ENTERPRISE_SCHEMA,
  SCIM_USER_SCHEMA,
  USER_RESOURCE,
} from "../schema-defs.js";
import { compileFilter, matchesElement, matchesResource } from "./evaluate.js";
import { parseFilter, parsePatchPath } from "./parse.js";

const ENT = SCIM_ENTERPRISE_SCHEMA;

/** Users as the store returns them: canonical names, extension under its URN, `meta` at top level. */
const USERS: Record<string, unknown>[] = [
  {
    schemas: [SCIM_USER_SCHEMA, ENT],
    id: "54D382A4-2050-4C03-94D1-E769F1D15682",
    externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    displayName: "BobIsAmazing",
    active: true,
    name: { givenName: "Bob", familyName: "Employee" },
    emails: [
      { type: "work", value: "Bob@Example.com", primary: true },
      { type: "home", value: "bob@home.example.org" },
    ],
    meta: { resourceType: "User", created: "2015-10-10T22:00:00Z", lastModified: "2021-07-25T12:37:58.132Z" },
    [ENT]: { department: "Sales", manager: { value: "2819c223-7f76-453a-919d-413861904646" } },
  },
  {
    schemas: [SCIM_USER_SCHEMA],
    id: "b1",
    externalId: "jyoung",
    userName: "OJ.Young@contoso.com",
    displayName: "",
    active: false,
    name: { familyName: "Young" },
    emails: [{ type: "work", value: "oj@contoso.com" }],
    meta: { resourceType: "User", created: "2015-10-10T14:38:21.8617979-07:00" },
    [ENT]: { department: "Engineering" },
  },
  {
    schemas: [SCIM_USER_SCHEMA],
    id: "c1",
    userName: "carol",
    title: null,
    emails: [],
    meta: { resourceType: "User", created: "2014-01-01T00:00:00Z" },
  },
];

/** The ids of the users `text` matches. */
function usersMatching(text: string): string[] {
  const predicate = compileFilter(USER_RESOURCE, parseFilter(text));
  return USERS.filter((u) => predicate(u)).map((u) => u.id as string);
}

const BOB = "54D382A4-2050-4C03-94D1-E769F1D15682";

describe("matchesResource: Entra's lookups", () => {
  it.each<[string, string[]]>([
    ['userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"', [BOB]],
    ['userName eq "test_user_00AA00AA-bb11-cc22-dd33-44ee44ee44ee"', [BOB]],
    ['userName eq "non-existent user"', []],
    ['externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"', [BOB]],
    [`id eq "${BOB}"`, [BOB]],
    ['emails[type eq "work"].value eq "bob@example.com"', [BOB]],
    ['emails[type eq "work"].value eq "bob@home.example.org"', []],
    ['displayName eq "BobIsAmazing"', [BOB]],
    ['DisplayName eq "BobIsAmazing"', [BOB]],
    [`id eq ${BOB} and manager eq 2819c223-7f76-453a-919d-413861904646`, [BOB]],
    [`id eq ${BOB} and manager eq 00000000-7f76-453a-919d-413861904646`, []],
    ["externalId eq jyoung", ["b1"]],
    ['active eq true and (meta.lastModified ge "2021-01-01" and meta.lastModified le "2021-12-31")', [BOB]],
  ])("finds %s", (text, ids) => {
    expect(usersMatching(text)).toEqual(ids);
  });

  it.each<[string, string[]]>([
    ["name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)", [BOB]],
    ["userName sw O", ["b1"]],
    ["meta.Created gt 2015-10-10T14:38:21.8617979-07:00", [BOB]],
    ["meta.Created ge 2015-10-10T14:38:21.8617979-07:00", [BOB, "b1"]],
  ])("answers Microsoft's Postman filter %s", (text, ids) => {
    expect(usersMatching(text)).toEqual(ids);
  });
});

describe("matchesResource: strings", () => {
  it.each<[string, string[]]>([
    ['userName co "YOUNG"', ["b1"]],
    ['userName ew "@CONTOSO.COM"', ["b1"]],
    ['userName gt "d"', [BOB, "b1"]],
    ['userName lt "d"', ["c1"]],
    ['userName le "carol"', ["c1"]],
    ['userName ge "CAROL"', [BOB, "b1", "c1"]],
    ['userName ne "carol"', [BOB, "b1"]],
  ])("compares userName (caseExact false) without regard to case: %s", (text, ids) => {
    expect(usersMatching(text).sort()).toEqual([...ids].sort());
  });

  it("compares caseExact attributes (id, externalId) exactly", () => {
    expect(usersMatching(`id eq "${BOB.toLowerCase()}"`)).toEqual([]);
    expect(usersMatching('externalId eq "JYOUNG"')).toEqual([]);
    expect(usersMatching('externalId sw "jy"')).toEqual(["b1"]);
  });

  it("compares an unquoted numeric value with a string attribute as its text", () => {
    const user = { userName: "u", externalId: "12345" };
    expect(matchesResource(USER_RESOURCE, user, parseFilter("externalId eq 12345"))).toBe(true);
    expect(matchesResource(USER_RESOURCE, user, parseFilter("externalId eq 1234"))).toBe(false);
  });
});

describe("matchesResource: multi-valued and complex attributes", () => {
  it("matches a multi-valued attribute when any value matches (RFC 7644 §3.4.2.2)", () => {
    expect(usersMatching('emails.value co "home"')).toEqual([BOB]);
    expect(usersMatching('emails.type eq "work"')).toEqual([BOB, "b1"]);
  });

  it("compares the implicit value sub-attribute when a complex attribute is compared directly", () => {
    expect(usersMatching('emails eq "oj@contoso.com"')).toEqual(["b1"]);
    expect(usersMatching(`${ENT}:manager eq "2819c223-7f76-453a-919d-413861904646"`)).toEqual([BOB]);
  });

  it("tests type and value on the same element inside a value path", () => {
    expect(usersMatching('emails[type eq "home" and value co "example.org"]')).toEqual([BOB]);
    expect(usersMatching('emails[type eq "work" and value co "example.org"]')).toEqual([]);
    expect(usersMatching('emails.type eq "work" and emails.value co "example.org"')).toEqual([BOB]);
  });

  it("is true for ne when any value differs, and when there is no value at all", () => {
    expect(usersMatching('emails.type ne "work"')).toEqual([BOB, "c1"]);
    expect(usersMatching('title ne "Boss"')).toEqual([BOB, "b1", "c1"]);
  });

  it("refuses to compare a complex attribute that has no value sub-attribute", () => {
    const err = catchSCIMError(() => usersMatching('name eq "Bob"'));
    expect([err.status, err.scimType, err.detail]).toEqual([
      400,
      "invalidFilter",
      'complex attribute "name" cannot be compared; name a sub-attribute',
    ]);
  });

  it("refuses a value path on an attribute that is not complex", () => {
    const err = catchSCIMError(() => usersMatching('userName[value eq "x"]'));
    expect(err.detail).toBe('"userName" is not a complex attribute, so "userName[...]" cannot filter it');
  });
});

describe("matchesResource: presence and null", () => {
  it("treats null, empty strings and empty arrays as not present", () => {
    expect(usersMatching("displayName pr")).toEqual([BOB]);
    expect(usersMatching("title pr")).toEqual([]);
    expect(usersMatching("emails pr")).toEqual([BOB, "b1"]);
    expect(usersMatching("externalId pr")).toEqual([BOB, "b1"]);
    expect(usersMatching("name pr")).toEqual([BOB, "b1"]);
    expect(usersMatching("active pr")).toEqual([BOB, "b1"]);
  });

  it("reads eq null as absent and ne null as present", () => {
    expect(usersMatching("externalId eq null")).toEqual(["c1"]);
    expect(usersMatching("externalId ne null")).toEqual([BOB, "b1"]);
  });

  it("refuses an ordering comparison with null", () => {
    expect(catchSCIMError(() => usersMatching("externalId gt null")).detail).toBe(
      'operator "gt" cannot compare "externalId" with null',
    );
  });
});

describe("matchesResource: booleans", () => {
  it("matches booleans with eq and ne", () => {
    expect(usersMatching("active eq true")).toEqual([BOB]);
    expect(usersMatching("active eq FALSE")).toEqual(["b1"]);
    expect(usersMatching("active ne true")).toEqual(["b1", "c1"]);
  });

  it('accepts the strings "true" and "false" in any case for a boolean, as Entra writes them', () => {
    expect(usersMatching('active eq "True"')).toEqual([BOB]);
    expect(usersMatching('active eq "false"')).toEqual(["b1"]);
    expect(usersMatching('active eq "yes"')).toEqual([]);
  });

  it.each(["gt", "ge", "lt", "le", "co", "sw", "ew"])(
    "refuses %s on a boolean with 400 invalidFilter",
    (op) => {
      const err = catchSCIMError(() => usersMatching(`active ${op} true`));
      expect([err.status, err.scimType, err.detail]).toEqual([
        400,
        "invalidFilter",
        `operator "${op}" is not defined for boolean attribute "active" (RFC 7644 §3.4.2.2)`,
      ]);
    },
  );
});

describe("matchesResource: dateTime", () => {
  it("compares instants, not text, across time zones", () => {
    expect(usersMatching('meta.created eq "2015-10-10T21:38:21.8617979Z"')).toEqual(["b1"]);
    expect(usersMatching('meta.created lt "2015-10-10T21:38:22Z"')).toEqual(["b1", "c1"]);
    expect(usersMatching('meta.created gt "2015"')).toEqual([BOB, "b1"]);
  });

  it("tests co, sw and ew on the text of a dateTime", () => {
    expect(usersMatching('meta.created sw "2015-10-10"')).toEqual([BOB, "b1"]);
    expect(usersMatching('meta.created co "t14:38"')).toEqual(["b1"]);
  });

  it("refuses a filter value that is not a date", () => {
    const err = catchSCIMError(() => usersMatching('meta.created gt "yesterday"'));
    expect([err.status, err.scimType, err.detail]).toEqual([
      400,
      "invalidFilter",
      'expected a dateTime value for "meta.created", found "yesterday"',
    ]);
    expect(catchSCIMError(() => usersMatching("meta.created gt 5")).detail).toContain("found 5");
  });

  it("does not match a stored value that is not a date", () => {
    const user = { userName: "x", meta: { created: "garbage" } };
    expect(matchesResource(USER_RESOURCE, user, parseFilter('meta.created lt "2100-01-01"'))).toBe(false);
  });
});

describe("matchesResource: schema URNs and extensions", () => {
  it.each<[string, string[]]>([
    [`${ENT}:department eq "sales"`, [BOB]],
    [`${ENT}.department eq "Engineering"`, ["b1"]],
    [`${ENT.toUpperCase()}:DEPARTMENT eq "Engineering"`, ["b1"]],
    [`${ENT}:manager.value eq "2819c223-7f76-453a-919d-413861904646"`, [BOB]],
    [`${ENT}:manager.value eq "2819C223-7F76-453A-919D-413861904646"`, []],
    [`${SCIM_USER_SCHEMA}:userName eq "carol"`, ["c1"]],
    [`${SCIM_USER_SCHEMA}:meta.created lt "2015"`, ["c1"]],
    ["department eq Sales", [BOB]],
    [`${ENT}:manager pr`, [BOB]],
  ])("resolves %s", (text, ids) => {
    expect(usersMatching(text)).toEqual(ids);
  });
});

describe("matchesResource: unknown attributes and prototype safety", () => {
  it.each<[string, string]>([
    ['foo eq "x"', 'unknown attribute "foo" in filter'],
    ['name.foo eq "x"', 'unknown attribute "name.foo" in filter'],
    ['userName.foo eq "x"', 'unknown attribute "userName.foo" in filter'],
    [`${ENT}:userName eq "x"`, `unknown attribute "${ENT}:userName" in filter`],
    [
      'urn:example:other:1.0:Thing:userName eq "x"',
      'unknown attribute "urn:example:other:1.0:Thing:userName"',
    ],
    ["__proto__ pr", 'invalid attribute path "__proto__" at offset 0'],
    ["constructor pr", 'unknown attribute "constructor" in filter'],
    ["toString pr", 'unknown attribute "toString" in filter'],
    ["hasOwnProperty pr", 'unknown attribute "hasOwnProperty" in filter'],
    ["name.constructor pr", 'unknown attribute "name.constructor" in filter'],
    ['emails[__proto__ eq "x"]', 'invalid attribute path "__proto__" at offset 7'],
    ["emails[constructor pr]", 'unknown attribute "constructor" of "emails" in filter'],
  ])("refuses %s with 400 invalidFilter", (text, detail) => {
    const err = catchSCIMError(() => usersMatching(text));
    expect([err.status, err.scimType]).toEqual([400, "invalidFilter"]);
    expect(err.detail).toContain(detail);
  });

  it("refuses __proto__ as an unknown attribute when an AST names it directly", () => {
    const proto = { type: "present", path: { attr: "__proto__" } } as const;
    expect(catchSCIMError(() => matchesResource(USER_RESOURCE, {}, proto)).detail).toBe(
      'unknown attribute "__proto__" in filter',
    );
    const sub = { type: "present", path: { attr: "name", sub: "__proto__" } } as const;
    expect(catchSCIMError(() => matchesResource(USER_RESOURCE, {}, sub)).detail).toBe(
      'unknown attribute "name.__proto__" in filter',
    );
  });

  it("refuses an unknown attribute even where evaluation would short-circuit before it", () => {
    const err = catchSCIMError(() => usersMatching('userName eq "nobody" and foo eq "x"'));
    expect(err.detail).toBe('unknown attribute "foo" in filter');
  });

  it("reads only own properties, never inherited ones", () => {
    const inherited = Object.create({ userName: "ghost", name: { givenName: "ghost" } }) as Record<
      string,
      unknown
    >;
    expect(matchesResource(USER_RESOURCE, inherited, parseFilter("userName pr"))).toBe(false);
    expect(matchesResource(USER_RESOURCE, inherited, parseFilter('name.givenName eq "ghost"'))).toBe(false);
    const element = Object.create({ type: "work" }) as unknown;
    expect(matchesResource(USER_RESOURCE, { emails: [element] }, parseFilter('emails[type eq "work"]'))).toBe(
      false,
    );
  });

  it("treats an own __proto__ key from JSON.parse as data, not as the prototype", () => {
    const resource = JSON.parse('{"userName":"x","__proto__":{"displayName":"polluted"}}') as Record<
      string,
      unknown
    >;
    expect(matchesResource(USER_RESOURCE, resource, parseFilter("displayName pr"))).toBe(false);
  });
});

describe("matchesResource: groups", () => {
  const group = {
    id: "g1",
    externalId: "7a2f",
    displayName: "Sales Team",
    members: [{ value: "abc", display: "Bob" }, { value: "def" }],
  };

  it.each<[string, boolean]>([
    ['displayName eq "sales team"', true],
    ['externalId eq "7a2f"', true],
    ['id eq "g1"', true],
    ['members[value eq "abc"]', true],
    ['members[value eq "ABC"]', false],
    ['members.value eq "def"', true],
    ['members eq "def"', true],
    ['members[display eq "bob"]', true],
  ])("evaluates %s against a group as %s", (text, expected) => {
    expect(matchesResource(GROUP_RESOURCE, group, parseFilter(text))).toBe(expected);
  });

  it("refuses a User attribute in a Group filter", () => {
    const err = catchSCIMError(() => matchesResource(GROUP_RESOURCE, group, parseFilter('userName eq "x"')));
    expect(err.detail).toBe('unknown attribute "userName" in filter');
  });
});

describe("matchesElement: PATCH value filters", () => {
  const emails = findAttribute(USER_RESOURCE, "emails")!.def;
  const members = findAttribute(GROUP_RESOURCE, "members")!.def;
  const filterOf = (path: string) => parsePatchPath(path).filter!;

  it.each<[AttributeDef, string, unknown, boolean]>([
    [emails, 'emails[type eq "work"].value', { type: "work", value: "a@b.c" }, true],
    [emails, 'emails[type eq "WORK"]', { type: "work" }, true],
    [emails, 'emails[type eq "work"]', { type: "home" }, false],
    [emails, 'emails[type eq "work" and primary eq true]', { type: "work", primary: true }, true],
    [emails, 'emails[type eq "work" and primary eq true]', { type: "work" }, false],
    [emails, 'emails[not (type eq "work")]', { value: "x" }, true],
    [emails, "emails[Value pr]", { value: "x" }, true],
    [emails, 'emails[type eq "work"]', "work", false],
    [emails, 'emails[type eq "work"]', null, false],
    [members, 'members[value eq "abc"]', { value: "abc" }, true],
    [members, 'members[value eq "ABC"]', { value: "abc" }, false],
    [members, 'members[value eq "abc"]', { value: "abcd" }, false],
  ])("evaluates element filter of %#: %s on %j as %s", (parent, path, element, expected) => {
    expect(matchesElement(parent, element, filterOf(path))).toBe(expected);
  });

  it("refuses a sub-attribute the parent does not have", () => {
    const err = catchSCIMError(() =>
      matchesElement(emails, { type: "work" }, filterOf('emails[foo eq "x"]')),
    );
    expect([err.status, err.scimType, err.detail]).toEqual([
      400,
      "invalidFilter",
      'unknown attribute "foo" of "emails" in filter',
    ]);
  });

  it("refuses a value path inside an element filter", () => {
    const nested = parseFilter('emails[type eq "work"]');
    const err = catchSCIMError(() => matchesElement(emails, { type: "work" }, nested));
    expect(err.detail).toBe('nested value path "emails[...]" in filter');
  });
});
