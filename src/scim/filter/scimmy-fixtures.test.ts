/**
 * scimmy's filter fixture table (../shared/conformance/scimmy-fixtures/test_lib_types_filter.json, MIT,
 * scimmyjs/scimmy test/lib/types/filter.json) run against our parser and evaluator.
 *
 * scimmy writes filters in its own notation: a list of OR-ed branches, each an object of AND-ed
 * conditions keyed by attribute (`{"userName": ["eq", "Test"]}`), nested objects for sub-attributes and
 * value filters, `[[op, v], [op, v]]` for several conditions on one attribute, `["not", op, v]` for a
 * negated one and `[{filter}, ["pr"]]` for `attr[filter] pr`. The adapter below converts our AST to that
 * notation (for the `parse` and `expression` tables) and back (for the `match` tables).
 *
 * Where we differ from scimmy, `DEVIATIONS` lists the case, the reason and what we do instead.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SCIMError } from "../errors.js";
import type { AttributeDef, AttributeType, ResourceTypeDef } from "../schema-defs.js";
import type { AttrPath, CompareOp, Filter, FilterValue } from "./ast.js";
import { matchesResource } from "./evaluate.js";
import { formatFilter, parseFilter } from "./parse.js";

// CI runs in a fresh clone with shared/ beside it, so resolve <repoRoot>/../shared from this file.
const REPO_ROOT = new URL("../../../", import.meta.url);
const FIXTURE_PATH = fileURLToPath(
  new URL("../shared/conformance/scimmy-fixtures/test_lib_types_filter.json", REPO_ROOT),
);

type Spec = readonly unknown[];
interface Branch {
  readonly [attr: string]: Spec | Branch;
}
type Expression = Branch | readonly Branch[];

interface Fixtures {
  readonly parse: Record<string, readonly { source: string; target: Branch[] }[]>;
  readonly expression: Record<string, readonly { source: Branch[]; target: string }[]>;
  readonly match: {
    readonly source: readonly Record<string, unknown>[];
    readonly targets: Record<string, readonly { expression: Expression; expected: number[] }[]>;
  };
}

const FIXTURES = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as Fixtures;
const OPS: readonly string[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

// ---- our AST -> scimmy notation -------------------------------------------------------------------

/**
 * scimmy's notation of a parsed filter, expanded to disjunctive normal form as scimmy expands it.
 * scimmy marks every condition under a `not` with "not" rather than applying De Morgan
 * (`not (a or b)` → branches `not a`, `not b`); the adapter mirrors that notation so parse shapes can be
 * compared. The evaluator's boolean logic is checked by the match tables and evaluate.test.ts.
 */
function toScimmy(f: Filter, negated = false): Branch[] {
  switch (f.type) {
    case "compare":
      return [nest(f.path, withNot(negated, [f.op, f.value]))];
    case "present":
      return [nest(f.path, withNot(negated, ["pr"]))];
    case "or":
      return f.filters.flatMap((child) => toScimmy(child, negated));
    case "and":
      return f.filters
        .map((child) => toScimmy(child, negated))
        .reduce((acc, next) => acc.flatMap((a) => next.map((b) => merge(a, b))));
    case "not":
      return toScimmy(f.filter, !negated);
    case "valuePath":
      return toScimmy(f.filter, negated).map((branch) => ({ [camel(f.path.attr)]: branch }));
  }
}

/** scimmy normalises attribute names to camelCase (`UserType` → `userType`, `emails.Value` → `value`). */
function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function withNot(negated: boolean, spec: Spec): Spec {
  return negated ? ["not", ...spec] : spec;
}

function nest(path: AttrPath, spec: Spec): Branch {
  return path.sub === undefined
    ? { [camel(path.attr)]: spec }
    : { [camel(path.attr)]: { [camel(path.sub)]: spec } };
}

function isBranch(x: Spec | Branch | undefined): x is Branch {
  return typeof x === "object" && !Array.isArray(x);
}

function merge(a: Branch, b: Branch): Branch {
  const out: Record<string, Spec | Branch> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = Object.hasOwn(out, key) ? out[key] : undefined;
    if (existing === undefined) out[key] = value;
    else if (isBranch(existing) && isBranch(value)) out[key] = merge(existing, value);
    else out[key] = [...specList(existing as Spec), ...specList(value as Spec)];
  }
  return out;
}

/** Several conditions on one attribute are written `[[op, v], [op, v]]`. */
function specList(spec: Spec): Spec[] {
  return Array.isArray(spec[0]) ? (spec as Spec[]) : [spec];
}

// ---- scimmy notation -> our AST -------------------------------------------------------------------

function fromExpression(expr: Expression): Filter {
  return Array.isArray(expr)
    ? combine(
        "or",
        (expr as readonly Branch[]).map((b) => fromBranch(b, true)),
      )
    : fromBranch(expr as Branch, true);
}

function fromBranch(branch: Branch, atResource: boolean): Filter {
  return combine(
    "and",
    Object.entries(branch).map(([attr, spec]) => fromEntry(attr, spec, atResource)),
  );
}

function fromEntry(attr: string, spec: Spec | Branch, atResource: boolean): Filter {
  if (isBranch(spec)) {
    // A nested object is a sub-attribute of a singular attribute, or a value filter on a multi-valued one.
    if (atResource && isMultiValued(attr))
      return { type: "valuePath", path: { attr }, filter: fromBranch(spec, false) };
    return combine(
      "and",
      Object.entries(spec).map(([sub, s]) => leaf({ attr, sub }, s as Spec)),
    );
  }
  if (isBranch(spec[0] as Branch)) {
    expect(spec[1]).toEqual(["pr"]);
    return { type: "valuePath", path: { attr }, filter: fromBranch(spec[0] as Branch, false) };
  }
  if (Array.isArray(spec[0]))
    return combine(
      "and",
      (spec as Spec[]).map((s) => leaf({ attr }, s)),
    );
  return leaf({ attr }, spec);
}

function leaf(path: AttrPath, spec: Spec): Filter {
  const [head, ...rest] = spec;
  const word = String(head).toLowerCase();
  if (word === "not") return { type: "not", filter: leaf(path, rest) };
  if (word === "pr") return { type: "present", path };
  if (word === "np") return { type: "not", filter: { type: "present", path } };
  if (!OPS.includes(word)) throw new Error(`no such operator in our AST: ${word}`);
  return { type: "compare", path, op: word as CompareOp, value: rest[0] as FilterValue };
}

function combine(type: "and" | "or", filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : { type, filters };
}

// ---- the schema of scimmy's match.source users ----------------------------------------------------

function def(name: string, type: AttributeType, more: Partial<AttributeDef> = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description: name,
    required: false,
    // scimmy's Filter has no schema and compares strings exactly (`userName co "A"` does not match
    // "MeganB"), so the fixture schema marks its strings caseExact; USER_RESOURCE tests cover caseExact false.
    caseExact: true,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...more,
  };
}

const FIXTURE_RT: ResourceTypeDef = {
  name: "User",
  endpoint: "/Users",
  extensions: [],
  schema: {
    id: "urn:example:scimmy:fixtures:User",
    name: "User",
    description: "the users of scimmy's match table",
    attributes: [
      def("id", "integer"),
      def("userName", "string"),
      def("date", "dateTime"),
      def("number", "integer"),
      def("exists", "boolean"),
      def("name", "complex", {
        subAttributes: [def("formatted", "string"), def("givenName", "string"), def("familyName", "string")],
      }),
      def("emails", "complex", {
        multiValued: true,
        subAttributes: [def("type", "string"), def("value", "string"), def("primary", "boolean")],
      }),
    ],
  },
};

function isMultiValued(attr: string): boolean {
  const found = FIXTURE_RT.schema.attributes.find((a) => a.name.toLowerCase() === attr.toLowerCase());
  return found?.multiValued === true;
}

// ---- where we differ ------------------------------------------------------------------------------

/** What we do instead of scimmy: parse to this AST, or refuse with 400 invalidFilter and this detail. */
type Ours = { readonly ast: Filter; readonly invalidFilter?: never } | { readonly invalidFilter: string };

const pr = (attr: string): Filter => ({ type: "present", path: { attr } });

const DEVIATIONS: Record<string, { readonly reason: string; readonly ours: Ours }> = {
  "-valid$Name eq -null": {
    reason:
      'RFC 7643 §2.1 ATTRNAME starts with ALPHA (we also allow "$" for $ref); scimmy allows a leading "-"',
    ours: {
      invalidFilter:
        'invalid attribute path "-valid$Name" at offset 0: names start with a letter and use letters, ' +
        'digits, "-", "_" or "$" (RFC 7643 §2.1)',
    },
  },
  "not eq pr": {
    reason:
      'Entra leniency: an unquoted value is a string, so this is the attribute "not" equal to "pr"; ' +
      'scimmy reads "not (eq pr)"',
    ours: { ast: { type: "compare", path: { attr: "not" }, op: "eq", value: "pr" } },
  },
  'emails[type eq "work" or type eq "home"].values[domain ew "@example.org"]': nestedValuePath(47),
  'emails[type eq "work" or type eq "home"].values[domain ew "@example.org" or domain ew "@example.com"]':
    nestedValuePath(47),
  'emails[type eq "work" or type eq "home"].values[domain ew "@example.org" or domain ew "@example.com"].recipient pr':
    nestedValuePath(47),
  'emails[type eq "work"].values[domain ew "@example.org" or domain ew "@example.com"].recipient pr':
    nestedValuePath(29),
  'emails[type eq "work"] pr': afterValuePath(23, "pr"),
  'emails[not type eq "work"] pr': afterValuePath(27, "pr"),
  'emails[type eq "work"] co "A"': afterValuePath(23, "co"),
  'emails[not type eq "work"] co "A"': afterValuePath(27, "co"),
  'not emails[not type eq "work"] co "A"': afterValuePath(31, "co"),
  'userType eq "Employee" and emails[type eq "work" or primary eq true] pr': afterValuePath(69, "pr"),
  'userType eq "Employee" and emails[type eq "work"] pr or userType eq "Employee" and emails[primary eq true] pr':
    afterValuePath(50, "pr"),
  'not emails[type eq "work"].value pr': {
    reason:
      "a bare not negates the whole term that follows, the value path included; scimmy negates only the " +
      "trailing `.value pr`",
    ours: {
      ast: {
        type: "not",
        filter: {
          type: "valuePath",
          path: { attr: "emails" },
          filter: {
            type: "and",
            filters: [{ type: "compare", path: { attr: "type" }, op: "eq", value: "work" }, pr("value")],
          },
        },
      },
    },
  },
};

function nestedValuePath(offset: number) {
  return {
    reason:
      "RFC 7644 §3.4.2.2 valuePath holds a valFilter of plain attribute expressions: value paths do not nest",
    ours: { invalidFilter: `nested value paths are not allowed: "[" after ".values" at offset ${offset}` },
  };
}

function afterValuePath(offset: number, found: string) {
  return {
    reason:
      "`attr[filter] op value` is not in the RFC 7644 grammar and neither Entra nor Microsoft's tests send " +
      "it; a value path stands alone or is followed by `.subAttr op value` (Entra's form)",
    ours: { invalidFilter: `expected "and", "or" or end of filter at offset ${offset}, found "${found}"` },
  };
}

function checkOurs(text: string, ours: Ours): void {
  if (ours.invalidFilter === undefined) {
    expect(parseFilter(text)).toStrictEqual(ours.ast);
    return;
  }
  let error: unknown;
  try {
    parseFilter(text);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SCIMError);
  expect([(error as SCIMError).status, (error as SCIMError).scimType]).toEqual([400, "invalidFilter"]);
  expect((error as SCIMError).detail).toBe(ours.invalidFilter);
}

// ---- the tables -----------------------------------------------------------------------------------

describe("scimmy fixtures: parse", () => {
  const rows = Object.entries(FIXTURES.parse).flatMap(([group, cases]) =>
    cases.map((c) => ({ group, ...c, deviation: DEVIATIONS[c.source] })),
  );

  it.each(rows.filter((r) => r.deviation === undefined))("parses $group: $source as scimmy does", (row) => {
    const filter = parseFilter(row.source);
    expect(toScimmy(filter)).toEqual(row.target);
    expect(parseFilter(formatFilter(filter))).toStrictEqual(filter);
  });

  it.each(rows.filter((r) => r.deviation !== undefined))(
    "parses $group: $source our way, because $deviation.reason",
    (row) => {
      checkOurs(row.source, row.deviation!.ours);
    },
  );
});

describe("scimmy fixtures: expression", () => {
  const rows = Object.entries(FIXTURES.expression).flatMap(([group, cases]) =>
    cases.map((c) => ({ group, ...c, deviation: DEVIATIONS[c.target] })),
  );

  it.each(rows.filter((r) => r.deviation === undefined))(
    "reads scimmy's text for $group expression $target back to the same expression",
    (row) => {
      expect(toScimmy(parseFilter(row.target))).toEqual(row.source);
    },
  );

  it.each(rows.filter((r) => r.deviation !== undefined))(
    "reads scimmy's text $target our way, because $deviation.reason",
    (row) => {
      checkOurs(row.target, row.deviation!.ours);
    },
  );
});

describe("scimmy fixtures: match", () => {
  const users = FIXTURES.match.source;
  const rows = Object.entries(FIXTURES.match.targets)
    .filter(([group]) => group !== "unknown")
    .flatMap(([group, cases]) => cases.map((c) => ({ group, ...c, label: JSON.stringify(c.expression) })));

  it.each(rows)("matches $group $label against users $expected", (row) => {
    const filter = fromExpression(row.expression);
    const ids = users.filter((u) => matchesResource(FIXTURE_RT, u, filter)).map((u) => u.id);
    expect(ids).toEqual(row.expected);
  });

  it("refuses scimmy's unknown operator with 400 invalidFilter instead of matching nothing", () => {
    // scimmy's "unknown" table expects `userName un "AdeleV"` to match no one; an unsupported filter must
    // be a 400, never an empty 200, or a connector creates duplicates (reference/peers.md §2.5).
    expect(FIXTURES.match.targets.unknown).toEqual([
      { expression: { userName: ["un", "AdeleV"] }, expected: [] },
    ]);
    checkOurs('userName un "AdeleV"', {
      invalidFilter: 'expected a comparison operator after "userName" at offset 9, found "un"',
    });
  });
});
