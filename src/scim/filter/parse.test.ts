import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchSCIMError } from "../../../test/helpers/scim-error.js";
import { SCIMError } from "../errors.js";
import { SCIM_ENTERPRISE_SCHEMA, SCIM_USER_SCHEMA } from "../schema-defs.js";
import {
  type AttrPath,
  type CompareOp,
  type Filter,
  type FilterValue,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
} from "./ast.js";
import { formatFilter, parseFilter, parsePatchPath } from "./parse.js";

const ENT = SCIM_ENTERPRISE_SCHEMA;
const OPS: CompareOp[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

const cmp = (attr: string, op: CompareOp, value: FilterValue, sub?: string, uri?: string): Filter => ({
  type: "compare",
  path: path(attr, sub, uri),
  op,
  value,
});
const pr = (attr: string, sub?: string): Filter => ({ type: "present", path: path(attr, sub) });
const and = (...filters: Filter[]): Filter => ({ type: "and", filters });
const or = (...filters: Filter[]): Filter => ({ type: "or", filters });
const not = (filter: Filter): Filter => ({ type: "not", filter });
const vp = (attr: string, filter: Filter, uri?: string): Filter => ({
  type: "valuePath",
  path: path(attr, undefined, uri),
  filter,
});

function path(attr: string, sub?: string, uri?: string): AttrPath {
  return { ...(uri === undefined ? {} : { uri }), attr, ...(sub === undefined ? {} : { sub }) };
}

describe("parseFilter: the RFC 7644 §3.4.2.2 grammar", () => {
  it.each(OPS)("parses the %s comparison operator", (op) => {
    expect(parseFilter(`userName ${op} "bjensen"`)).toStrictEqual(cmp("userName", op, "bjensen"));
  });

  it.each<[string, Filter]>([
    ["title pr", pr("title")],
    ['userName EQ "x"', cmp("userName", "eq", "x")],
    ['userName Eq "x"', cmp("userName", "eq", "x")],
    ["title PR", pr("title")],
    ["title pr And nickName pr", and(pr("title"), pr("nickName"))],
    ["title pr OR nickName pr", or(pr("title"), pr("nickName"))],
    ["NOT (title pr)", not(pr("title"))],
    ["Not(title pr)", not(pr("title"))],
  ])("treats operators and keywords case-insensitively: %s", (text, expected) => {
    expect(parseFilter(text)).toStrictEqual(expected);
  });

  it.each<[string, FilterValue]>([
    ['"plain"', "plain"],
    ['"quote \\" backslash \\\\ slash \\/ tab \\t"', 'quote " backslash \\ slash / tab \t'],
    ['"\\u00e9t\\u00E9 \\ud83d\\ude00"', "été 😀"],
    ['""', ""],
    ['"and or not ) ( ] ["', "and or not ) ( ] ["],
    ["1.5", 1.5],
    ["-2", -2],
    ["2e2", 200],
    ["0", 0],
    ["1E-3", 0.001],
    ["true", true],
    ["TRUE", true],
    ["False", false],
    ["null", null],
    ["NULL", null],
  ])("reads the value %s as a JSON literal", (text, value) => {
    expect(parseFilter(`x eq ${text}`)).toStrictEqual(cmp("x", "eq", value));
  });

  it("binds and tighter than or", () => {
    expect(parseFilter("a pr or b pr and c pr")).toStrictEqual(or(pr("a"), and(pr("b"), pr("c"))));
    expect(parseFilter("a pr and b pr or c pr")).toStrictEqual(or(and(pr("a"), pr("b")), pr("c")));
  });

  it("flattens an unparenthesised chain of one operator into one node", () => {
    expect(parseFilter("a pr and b pr and c pr")).toStrictEqual(and(pr("a"), pr("b"), pr("c")));
    expect(parseFilter("a pr or b pr or c pr or d pr")).toStrictEqual(or(pr("a"), pr("b"), pr("c"), pr("d")));
  });

  it("keeps the structure the client wrote with parentheses", () => {
    expect(parseFilter("a pr and (b pr and c pr)")).toStrictEqual(and(pr("a"), and(pr("b"), pr("c"))));
    expect(parseFilter("(a pr or b pr) and c pr")).toStrictEqual(and(or(pr("a"), pr("b")), pr("c")));
    expect(parseFilter("((a pr))")).toStrictEqual(pr("a"));
  });

  it("parses not with and without a space before the parenthesis", () => {
    expect(parseFilter('not (userName eq "x")')).toStrictEqual(not(cmp("userName", "eq", "x")));
    expect(parseFilter('not(userName eq "x")')).toStrictEqual(not(cmp("userName", "eq", "x")));
    expect(parseFilter("not (a pr or b pr) and c pr")).toStrictEqual(and(not(or(pr("a"), pr("b"))), pr("c")));
  });

  it("accepts not without parentheses as negating the single term after it (as scimmy does)", () => {
    expect(parseFilter("not a pr and b pr")).toStrictEqual(and(not(pr("a")), pr("b")));
    expect(parseFilter("not not (a pr)")).toStrictEqual(not(not(pr("a"))));
  });

  it("reads not followed by an operator as an attribute named not", () => {
    expect(parseFilter("not pr")).toStrictEqual(pr("not"));
    expect(parseFilter('not sw "A"')).toStrictEqual(cmp("not", "sw", "A"));
    expect(parseFilter("pr pr")).toStrictEqual(pr("pr"));
    expect(parseFilter("and pr and or pr")).toStrictEqual(and(pr("and"), pr("or")));
  });

  it("parses a sub-attribute path", () => {
    expect(parseFilter('name.familyName eq "Jensen"')).toStrictEqual(
      cmp("name", "eq", "Jensen", "familyName"),
    );
  });

  it("parses a value path with a logical filter inside", () => {
    expect(parseFilter('emails[type eq "work" and value co "@contoso"]')).toStrictEqual(
      vp("emails", and(cmp("type", "eq", "work"), cmp("value", "co", "@contoso"))),
    );
    expect(parseFilter('emails[not (type eq "work")] and title pr')).toStrictEqual(
      and(vp("emails", not(cmp("type", "eq", "work"))), pr("title")),
    );
  });

  it('normalises Entra\'s emails[type eq "work"].value eq "x" to one value path', () => {
    expect(parseFilter('emails[type eq "work"].value eq "a@b.c"')).toStrictEqual(
      vp("emails", and(cmp("type", "eq", "work"), cmp("value", "eq", "a@b.c"))),
    );
    expect(parseFilter('emails[type eq "work"].value pr')).toStrictEqual(
      vp("emails", and(cmp("type", "eq", "work"), pr("value"))),
    );
  });

  it("appends the trailing comparison to an and inside the brackets but wraps an or", () => {
    expect(parseFilter('emails[type eq "work" and primary eq true].value co "@x"')).toStrictEqual(
      vp("emails", and(cmp("type", "eq", "work"), cmp("primary", "eq", true), cmp("value", "co", "@x"))),
    );
    expect(parseFilter('emails[type eq "work" or type eq "home"].value co "@x"')).toStrictEqual(
      vp("emails", and(or(cmp("type", "eq", "work"), cmp("type", "eq", "home")), cmp("value", "co", "@x"))),
    );
  });

  it.each<[string, Filter]>([
    [`${ENT}:department eq "Sales"`, cmp("department", "eq", "Sales", undefined, ENT)],
    [
      `${SCIM_USER_SCHEMA}:userName eq "bjensen"`,
      cmp("userName", "eq", "bjensen", undefined, SCIM_USER_SCHEMA),
    ],
    [
      `${ENT}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
      cmp("manager", "eq", "26118915-6090-4610-87e4-49d8ca9f808d", "value", ENT),
    ],
    [
      `${SCIM_USER_SCHEMA}:name.givenName pr`,
      { type: "present", path: { uri: SCIM_USER_SCHEMA, attr: "name", sub: "givenName" } },
    ],
    [`${ENT}.department eq "Sales"`, cmp("department", "eq", "Sales", undefined, ENT)],
    [
      "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:costCode eq 7",
      cmp("costCode", "eq", 7, undefined, "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User"),
    ],
    [
      "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department pr",
      {
        type: "present",
        path: { uri: "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER", attr: "Department" },
      },
    ],
    [`${SCIM_USER_SCHEMA}:emails[type eq "work"]`, vp("emails", cmp("type", "eq", "work"), SCIM_USER_SCHEMA)],
  ])("splits a URN-prefixed attribute path: %s", (text, expected) => {
    expect(parseFilter(text)).toStrictEqual(expected);
  });

  it("keeps the client's spelling of attribute names", () => {
    expect(parseFilter('DisplayName eq "BobIsAmazing"')).toStrictEqual(
      cmp("DisplayName", "eq", "BobIsAmazing"),
    );
    expect(parseFilter("EMAILS.VALUE pr")).toStrictEqual(pr("EMAILS", "VALUE"));
  });

  it("accepts $ref and names with digits, - and _", () => {
    expect(parseFilter("$ref eq null and members.$ref pr and a-b_c9 pr")).toStrictEqual(
      and(cmp("$ref", "eq", null), pr("members", "$ref"), pr("a-b_c9")),
    );
  });

  it("ignores spaces, tabs and newlines between tokens", () => {
    expect(parseFilter('  userName\teq\n"x"   and\r\ntitle  pr ')).toStrictEqual(
      and(cmp("userName", "eq", "x"), pr("title")),
    );
  });
});

describe("parseFilter: Entra and Microsoft leniency", () => {
  it.each<[string, Filter]>([
    [
      'userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"',
      cmp("userName", "eq", "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"),
    ],
    [
      'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
      cmp("externalId", "eq", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"),
    ],
    ['displayName eq "Group 1"', cmp("displayName", "eq", "Group 1")],
    ["externalId eq jyoung", cmp("externalId", "eq", "jyoung")],
    ["userName sw O", cmp("userName", "sw", "O")],
    ["name.FamilyName eq Employee", cmp("name", "eq", "Employee", "FamilyName")],
    ["emails.Value co example.com", cmp("emails", "co", "example.com", "Value")],
    [
      "meta.Created gt 2015-10-10T14:38:21.8617979-07:00",
      cmp("meta", "gt", "2015-10-10T14:38:21.8617979-07:00", "Created"),
    ],
    [
      "id eq 54D382A4-2050-4C03-94D1-E769F1D15682 and manager eq 2819c223-7f76-453a-919d-413861904646",
      and(
        cmp("id", "eq", "54D382A4-2050-4C03-94D1-E769F1D15682"),
        cmp("manager", "eq", "2819c223-7f76-453a-919d-413861904646"),
      ),
    ],
    [
      "name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)",
      and(
        cmp("name", "eq", "Employee", "FamilyName"),
        or(cmp("emails", "co", "example.com", "Value"), cmp("emails", "co", "example.org", "Value")),
      ),
    ],
    ["value eq 123abc", cmp("value", "eq", "123abc")],
    ["externalId eq 00123", cmp("externalId", "eq", "00123")],
    ["externalId eq 12345", cmp("externalId", "eq", 12345)],
    ["externalId eq -null", cmp("externalId", "eq", "-null")],
    [
      'emails[type eq work].value eq "a@b.c"',
      vp("emails", and(cmp("type", "eq", "work"), cmp("value", "eq", "a@b.c"))),
    ],
  ])("reads an unquoted or Entra-shaped filter: %s", (text, expected) => {
    expect(parseFilter(text)).toStrictEqual(expected);
  });
});

describe("parseFilter: errors", () => {
  it.each<[string, string]>([
    ["", "filter is empty"],
    ["   \t ", "filter is empty"],
    ["userName", 'expected a comparison operator after "userName" at offset 8, found end of filter'],
    ['userName xx "a"', 'expected a comparison operator after "userName" at offset 9, found "xx"'],
    ['userName un "a"', 'expected a comparison operator after "userName" at offset 9, found "un"'],
    ["userName eq", 'expected a value after "eq" at offset 11, found end of filter'],
    ["userName eq (x)", 'expected a value after "eq" at offset 12, found "("'],
    [
      "(userName pr",
      'expected "and", "or" or ")" at offset 12, found end of filter (unclosed "(" at offset 0)',
    ],
    [
      "not (userName pr",
      'expected "and", "or" or ")" at offset 16, found end of filter (unclosed "(" at offset 4)',
    ],
    ["userName pr)", 'expected "and", "or" or end of filter at offset 11, found ")"'],
    ["userName pr title pr", 'expected "and", "or" or end of filter at offset 12, found "title"'],
    ["userName pr and", "expected an attribute path at offset 15, found end of filter"],
    ["()", 'expected an attribute path at offset 1, found ")"'],
    ['"userName" eq "x"', 'expected an attribute path at offset 0, found "\\"userName\\""'],
    ['1abc eq "x"', 'invalid attribute path "1abc" at offset 0'],
    ['name.given.family eq "x"', 'invalid attribute path "name.given.family" at offset 0'],
    ['.value eq "x"', 'invalid attribute path ".value" at offset 0'],
    ['foo:bar eq "x"', 'invalid attribute path "foo:bar" at offset 0'],
    [`${SCIM_USER_SCHEMA}: eq "x"`, "invalid attribute path"],
    [`${ENT} pr`, "expected an attribute after the schema URN"],
    ["urn:x eq 1", 'invalid attribute path "urn:x" at offset 0'],
    ["a[b[c eq 1]]", 'nested value paths are not allowed: "[" after "b" at offset 3'],
    [
      'emails[type eq "work"].values[x eq 1]',
      'nested value paths are not allowed: "[" after ".values" at offset 29',
    ],
    ["emails[]", 'expected an attribute path at offset 7, found "]"'],
    [
      'emails[type eq "work"',
      'expected "and", "or" or "]" at offset 21, found end of filter (unclosed "[" at offset 6)',
    ],
    ['emails[value.x eq "a"]', 'expected a sub-attribute name inside "[...]" at offset 7, found "value.x"'],
    [`emails[${ENT}:x eq "a"]`, 'expected a sub-attribute name inside "[...]" at offset 7'],
    [
      'name.givenName[x eq "a"]',
      'a value filter cannot follow a sub-attribute: "[" after "name.givenName" at offset 14',
    ],
    [
      'emails[type eq "work"].value',
      'expected a comparison operator after ".value" at offset 28, found end of filter',
    ],
    ['emails[type eq "work"].1x eq "a"', 'invalid sub-attribute ".1x" at offset 22'],
    ['emails[type eq "work"] pr', 'expected "and", "or" or end of filter at offset 23, found "pr"'],
    ['emails [type eq "work"]', 'expected a comparison operator after "emails" at offset 7, found "["'],
    ['userName eq "abc', "unterminated string starting at offset 12"],
    ['userName eq "abc\\', "unterminated string starting at offset 12"],
    ['userName eq "a\\qb"', "invalid string literal at offset 12 (bad escape or control character)"],
    ['userName eq "a\u0001b"', "invalid string literal at offset 12"],
    ["userName eq x] pr", 'expected "and", "or" or end of filter at offset 13, found "]"'],
    [`userName xx${"y".repeat(100)}`, `found "xx${"y".repeat(38)}…"`],
  ])("refuses %j with 400 invalidFilter", (text, detail) => {
    const err = catchSCIMError(() => parseFilter(text));
    expect([err.status, err.scimType]).toEqual([400, "invalidFilter"]);
    expect(err.detail).toContain(detail);
  });

  it("renders a syntax error as an RFC 7644 §3.12 error body", () => {
    expect(catchSCIMError(() => parseFilter("userName xx 1")).toBody()).toMatchInlineSnapshot(`
      {
        "detail": "expected a comparison operator after "userName" at offset 9, found "xx"",
        "schemas": [
          "urn:ietf:params:scim:api:messages:2.0:Error",
        ],
        "scimType": "invalidFilter",
        "status": "400",
      }
    `);
  });
});

describe("parseFilter: caps", () => {
  const nest = (n: number) => `${"(".repeat(n)}title pr${")".repeat(n)}`;
  const orChain = (n: number) => Array.from({ length: n }, (_, i) => `a${i} pr`).join(" or ");

  it("accepts a filter of exactly MAX_FILTER_LENGTH characters", () => {
    const text = `userName eq "${"x".repeat(MAX_FILTER_LENGTH - 14)}"`;
    expect(text).toHaveLength(MAX_FILTER_LENGTH);
    expect(parseFilter(text).type).toBe("compare");
  });

  it("refuses a filter one character over MAX_FILTER_LENGTH before tokenising it", () => {
    const text = `userName eq "${"x".repeat(MAX_FILTER_LENGTH - 13)}"`;
    const err = catchSCIMError(() => parseFilter(text));
    expect([err.status, err.scimType, err.detail]).toEqual([
      400,
      "invalidFilter",
      "filter is 4097 characters long; the limit is 4096 (MAX_FILTER_LENGTH)",
    ]);
  });

  it("accepts MAX_FILTER_DEPTH levels of parentheses and refuses one more", () => {
    expect(parseFilter(nest(MAX_FILTER_DEPTH))).toStrictEqual(pr("title"));
    const err = catchSCIMError(() => parseFilter(nest(MAX_FILTER_DEPTH + 1)));
    expect([err.status, err.scimType, err.detail]).toEqual([
      400,
      "invalidFilter",
      "filter nests deeper than 8 levels (MAX_FILTER_DEPTH) at offset 8",
    ]);
  });

  it("counts not, value paths and parentheses together towards the depth", () => {
    // not ( + not ( + n parentheses + emails[ + not ( : n + 4 levels.
    const levels = (n: number) => `not (not (${"(".repeat(n)}emails[not (type eq "work")]${")".repeat(n)}))`;
    expect(() => parseFilter(levels(4))).not.toThrow();
    expect(catchSCIMError(() => parseFilter(levels(5))).detail).toBe(
      "filter nests deeper than 8 levels (MAX_FILTER_DEPTH) at offset 22",
    );
    const bareNots = `${"not ".repeat(MAX_FILTER_DEPTH + 1)}title pr`;
    expect(catchSCIMError(() => parseFilter(bareNots)).detail).toContain("(MAX_FILTER_DEPTH)");
  });

  it("accepts MAX_FILTER_TERMS terms and refuses one more", () => {
    expect(parseFilter(orChain(MAX_FILTER_TERMS)).type).toBe("or");
    const err = catchSCIMError(() => parseFilter(orChain(MAX_FILTER_TERMS + 1)));
    expect([err.status, err.scimType]).toEqual([400, "invalidFilter"]);
    expect(err.detail).toMatch(/^filter has more than 64 terms \(MAX_FILTER_TERMS\) at offset \d+$/);
  });

  it("counts terms inside value paths and Entra's trailing .value comparison", () => {
    const term = 'emails[type eq "work"].value eq "x"';
    const text = Array.from({ length: MAX_FILTER_TERMS / 2 + 1 }, () => term).join(" or ");
    expect(catchSCIMError(() => parseFilter(text)).detail).toContain("(MAX_FILTER_TERMS)");
  });

  it("refuses a paren bomb inside the length cap with the depth cap, not a stack overflow", () => {
    const err = catchSCIMError(() => parseFilter(nest(2000)));
    expect([err.scimType, err.detail]).toEqual([
      "invalidFilter",
      "filter nests deeper than 8 levels (MAX_FILTER_DEPTH) at offset 8",
    ]);
    expect(catchSCIMError(() => parseFilter(`${"not (".repeat(800)}a pr`)).detail).toContain(
      "(MAX_FILTER_DEPTH)",
    );
  });

  it("refuses a 10,000-deep paren bomb quickly with invalidFilter", () => {
    const started = performance.now();
    const err = catchSCIMError(() => parseFilter(nest(10_000)));
    expect([err.status, err.scimType]).toEqual([400, "invalidFilter"]);
    expect(performance.now() - started).toBeLessThan(250);
  });

  it("refuses a 50,000-term or quickly with invalidFilter", () => {
    const text = orChain(50_000);
    const started = performance.now();
    const err = catchSCIMError(() => parseFilter(text));
    expect([err.status, err.scimType]).toEqual([400, "invalidFilter"]);
    expect(err.detail).toContain("(MAX_FILTER_LENGTH)");
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe("parsePatchPath: RFC 7644 §3.5.2 paths", () => {
  it.each<[string, unknown]>([
    ["userName", { path: { attr: "userName" } }],
    ["name.givenName", { path: { attr: "name", sub: "givenName" } }],
    ["emails", { path: { attr: "emails" } }],
    [
      'emails[type eq "work"].value',
      { path: { attr: "emails" }, filter: cmp("type", "eq", "work"), sub: "value" },
    ],
    ['members[value eq "abc"]', { path: { attr: "members" }, filter: cmp("value", "eq", "abc") }],
    [
      'addresses[type eq "work"].formatted',
      { path: { attr: "addresses" }, filter: cmp("type", "eq", "work"), sub: "formatted" },
    ],
    [
      'phoneNumbers[type eq "mobile" and primary eq true].value',
      {
        path: { attr: "phoneNumbers" },
        filter: and(cmp("type", "eq", "mobile"), cmp("primary", "eq", true)),
        sub: "value",
      },
    ],
    [`${ENT}:manager`, { path: { uri: ENT, attr: "manager" } }],
    [`${ENT}:department`, { path: { uri: ENT, attr: "department" } }],
    [`${ENT}.department`, { path: { uri: ENT, attr: "department" } }],
    [
      `${SCIM_USER_SCHEMA}:name.givenName`,
      { path: { uri: SCIM_USER_SCHEMA, attr: "name", sub: "givenName" } },
    ],
    [
      `${SCIM_USER_SCHEMA}.name.givenName`,
      { path: { uri: SCIM_USER_SCHEMA, attr: "name", sub: "givenName" } },
    ],
    [`${ENT}:manager.value`, { path: { uri: ENT, attr: "manager", sub: "value" } }],
    ['  emails[type eq "work"]  ', { path: { attr: "emails" }, filter: cmp("type", "eq", "work") }],
    ["Name.GivenName", { path: { attr: "Name", sub: "GivenName" } }],
  ])("parses %s", (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual(expected);
  });

  it.each<[string, string]>([
    ["", "PATCH path is empty"],
    ["user name", 'expected end of PATCH path at offset 5, found "name"'],
    ["name.givenName.x", 'invalid attribute path "name.givenName.x" at offset 0'],
    ['emails[type eq "work"]x', 'expected end of PATCH path at offset 22, found "x"'],
    ['emails[type eq "work"] .value', 'expected end of PATCH path at offset 23, found ".value"'],
    ['emails[type eq "work"].value.x', 'invalid sub-attribute ".value.x" at offset 22'],
    ['emails[type eq "work"].value eq "x"', 'expected end of PATCH path at offset 29, found "eq"'],
    [
      'emails[type eq "work"',
      'expected "and", "or" or "]" at offset 21, found end of PATCH path (unclosed "[" at offset 6)',
    ],
    ["emails[type eq]", 'expected a value after "eq" at offset 14, found "]"'],
    ['emails[type eq "work"].values[x eq 1]', "nested value paths are not allowed"],
    ['name.givenName[type eq "work"]', "a value filter cannot follow a sub-attribute"],
    [ENT, "expected an attribute after the schema URN"],
    ['"userName"', "expected an attribute path at offset 0"],
    [
      `x[${"(".repeat(8)}a pr${")".repeat(8)}]`,
      "PATCH path nests deeper than 8 levels (MAX_FILTER_DEPTH) at offset 9",
    ],
    [
      `x${"y".repeat(MAX_FILTER_LENGTH)}`,
      "PATCH path is 4097 characters long; the limit is 4096 (MAX_FILTER_LENGTH)",
    ],
  ])("refuses %j with 400 invalidPath", (text, detail) => {
    const err = catchSCIMError(() => parsePatchPath(text));
    expect([err.status, err.scimType]).toEqual([400, "invalidPath"]);
    expect(err.detail).toContain(detail);
  });
});

describe("formatFilter", () => {
  it.each<[string, string]>([
    ['userName eq "x"', 'userName eq "x"'],
    ["externalId EQ jyoung", 'externalId eq "jyoung"'],
    ["a pr or b pr and c pr", "a pr or b pr and c pr"],
    ["(a pr or b pr) and c pr", "(a pr or b pr) and c pr"],
    ["a pr and (b pr and c pr)", "a pr and (b pr and c pr)"],
    ["a pr or (b pr or c pr)", "a pr or (b pr or c pr)"],
    ["not a pr", "not (a pr)"],
    ['emails[type eq "work"].value eq "x"', 'emails[type eq "work" and value eq "x"]'],
    [`${ENT}.manager.value eq 1.5`, `${ENT}:manager.value eq 1.5`],
    ["x eq -0", "x eq -0"],
    ["x eq 1e21", "x eq 1e+21"],
  ])("writes %s canonically as %s", (text, canonical) => {
    expect(formatFilter(parseFilter(text))).toBe(canonical);
  });
});

describe("parseFilter and formatFilter: properties", () => {
  // fc.record may build null-prototype objects; the parser's ASTs are plain objects.
  const PLAIN = { noNullPrototype: true };
  const NAMES = [
    "userName",
    "emails",
    "value",
    "type",
    "pr",
    "not",
    "and",
    "or",
    "eq",
    "$ref",
    "urn",
    "a-b_c",
  ];
  const name = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[A-Za-z$][A-Za-z0-9_$-]{0,8}$/));
  const uri = fc.constantFrom(
    SCIM_USER_SCHEMA,
    SCIM_ENTERPRISE_SCHEMA,
    "urn:example:params:custom:1.0:Thing",
  );
  const value: fc.Arbitrary<FilterValue> = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("and", "or", "not", "pr", "true", "null", "12", ")", "]", "", " "),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const op = fc.constantFrom(...OPS);
  const fullPath: fc.Arbitrary<AttrPath> = fc
    .record({ uri: fc.option(uri, { nil: undefined }), attr: name, sub: fc.option(name, { nil: undefined }) })
    .map(({ uri, attr, sub }) => path(attr, sub, uri));
  const subPath: fc.Arbitrary<AttrPath> = name.map((attr) => ({ attr }));

  /** Random filters whose nesting and size stay inside the caps (depth ≤ 4 + 1, terms ≤ 3^4 trimmed). */
  function filterArb(leafPath: fc.Arbitrary<AttrPath>, withValuePaths: boolean) {
    return fc
      .letrec<{ filter: Filter }>((tie) => {
        const leaf: fc.Arbitrary<Filter> = fc.oneof(
          fc.record({ type: fc.constant("compare" as const), path: leafPath, op, value }, PLAIN),
          fc.record({ type: fc.constant("present" as const), path: leafPath }, PLAIN),
        );
        const children = fc.array(tie("filter"), { minLength: 2, maxLength: 3 });
        const branches: fc.Arbitrary<Filter>[] = [
          leaf,
          fc.record({ type: fc.constantFrom("and" as const, "or" as const), filters: children }, PLAIN),
          fc.record({ type: fc.constant("not" as const), filter: tie("filter") }, PLAIN),
        ];
        if (withValuePaths) {
          const inner = filterArb(subPath, false);
          branches.push(
            fc.record(
              {
                type: fc.constant("valuePath" as const),
                path: name.map((a) => ({ attr: a })),
                filter: inner,
              },
              PLAIN,
            ),
          );
        }
        return {
          filter: fc.oneof({ maxDepth: 3, depthIdentifier: withValuePaths ? "outer" : "inner" }, ...branches),
        };
      })
      .filter.filter((f) => countTerms(f) <= MAX_FILTER_TERMS);
  }

  function countTerms(f: Filter): number {
    switch (f.type) {
      case "compare":
      case "present":
        return 1;
      case "and":
      case "or":
        return f.filters.reduce((n, child) => n + countTerms(child), 0);
      case "not":
      case "valuePath":
        return countTerms(f.filter);
    }
  }

  it("parses formatFilter's text back to the same AST", () => {
    fc.assert(
      fc.property(filterArb(fullPath, true), (filter) => {
        expect(parseFilter(formatFilter(filter))).toStrictEqual(filter);
      }),
      { numRuns: 500 },
    );
  });

  it("parses formatted value-path filters back through parsePatchPath", () => {
    fc.assert(
      fc.property(
        name,
        filterArb(subPath, false),
        fc.option(name, { nil: undefined }),
        (attr, filter, sub) => {
          const text = `${attr}[${formatFilter(filter)}]${sub === undefined ? "" : `.${sub}`}`;
          const expected = sub === undefined ? { path: { attr }, filter } : { path: { attr }, filter, sub };
          expect(parsePatchPath(text)).toStrictEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("either returns an AST or throws 400 invalidFilter for any token soup", () => {
    const soup = fc
      .array(
        fc.constantFrom(
          "(",
          ")",
          "[",
          "]",
          "not",
          "and",
          "or",
          "eq",
          "pr",
          "a",
          "b.c",
          '"x"',
          " ",
          "1",
          ".v",
          "\\",
          '"',
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ unit: "binary", maxLength: 60 })), (text) => {
        try {
          const filter = parseFilter(text);
          expect(parseFilter(formatFilter(filter))).toStrictEqual(filter);
        } catch (e) {
          expect(e).toBeInstanceOf(SCIMError);
          expect([(e as SCIMError).status, (e as SCIMError).scimType]).toEqual([400, "invalidFilter"]);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
