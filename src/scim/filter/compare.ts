/**
 * Comparison of one attribute value with a filter value, by the attribute's RFC 7643 §2.3 type
 * (RFC 7644 §3.4.2.2 operator semantics). Operators a type does not define are refused when the test
 * is built, so a bad filter fails with 400 whatever data it would have met.
 */
import { badRequest } from "../errors.js";
import type { AttributeDef } from "../schema-defs.js";
import type { CompareOp, FilterValue } from "./ast.js";
import { parseDateTime } from "./date-time.js";
import { formatValue } from "./format.js";

/** An operator the value test handles; `ne` is `eq` negated by the caller. */
export type TestOp = Exclude<CompareOp, "ne">;

/** A test of one attribute value against the filter's comparison value. */
export type ValueTest = (attrValue: unknown) => boolean;

type OrderOp = "eq" | "gt" | "ge" | "lt" | "le";

const SUBSTRING_OPS: ReadonlySet<TestOp> = new Set(["co", "sw", "ew"]);

/**
 * Builds the test `attrValue op value` for an attribute of `def`'s type, or throws 400 invalidFilter
 * when the type does not define `op`; `label` names the attribute in that error.
 */
export function buildValueTest(
  def: AttributeDef,
  op: TestOp,
  value: Exclude<FilterValue, null>,
  label: string,
): ValueTest {
  switch (def.type) {
    case "boolean":
      return booleanTest(op, value, label);
    case "integer":
    case "decimal":
      return numberTest(op, value, label, def.type);
    case "dateTime":
      return dateTimeTest(def, op, value, label);
    case "complex":
      throw badRequest(
        "invalidFilter",
        `complex attribute "${label}" cannot be compared; name a sub-attribute`,
      );
    case "binary":
      // RFC 7644 §3.4.2.2: gt/ge/lt/le on binary (and boolean) attributes SHALL fail with invalidFilter.
      if (!SUBSTRING_OPS.has(op) && op !== "eq") throw undefinedOperator(op, "binary", label);
      return stringTest(def.caseExact, op, value);
    default:
      return stringTest(def.caseExact, op, value);
  }
}

function undefinedOperator(op: TestOp, type: string, label: string) {
  return badRequest(
    "invalidFilter",
    `operator "${op}" is not defined for ${type} attribute "${label}" (RFC 7644 §3.4.2.2)`,
  );
}

/**
 * Booleans take only eq/ne. A string "true"/"false" (any case) counts as the boolean: Entra writes
 * booleans as strings in several places (reference/entra-scim-client.md), and scimmy's fixtures expect
 * `exists eq "True"` to match. Any other value matches nothing.
 */
function booleanTest(op: TestOp, value: Exclude<FilterValue, null>, label: string): ValueTest {
  if (op !== "eq") throw undefinedOperator(op, "boolean", label);
  const wanted = toBoolean(value);
  if (wanted === undefined) return () => false;
  return (v) => toBoolean(v) === wanted;
}

function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v !== "string") return undefined;
  const lower = v.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/** Numbers compare numerically; a non-number filter value matches nothing (scimmy: `number eq "6"`). */
function numberTest(op: TestOp, value: Exclude<FilterValue, null>, label: string, type: string): ValueTest {
  if (SUBSTRING_OPS.has(op)) throw undefinedOperator(op, type, label);
  if (typeof value !== "number") return () => false;
  return (v) => typeof v === "number" && order(op as OrderOp, v, value);
}

/**
 * dateTime: co/sw/ew test the text (`meta.created co "2021-09"`); eq and the ordering operators compare
 * instants, so `2015-10-10T14:38:21.86-07:00` and `2015-10-10T21:38:21.86Z` are equal. An unreadable
 * filter date is the client's error (400); an unreadable stored date matches nothing.
 */
function dateTimeTest(
  def: AttributeDef,
  op: TestOp,
  value: Exclude<FilterValue, null>,
  label: string,
): ValueTest {
  if (SUBSTRING_OPS.has(op)) return stringTest(def.caseExact, op, value);
  const wanted = typeof value === "string" ? parseDateTime(value) : Number.NaN;
  if (Number.isNaN(wanted)) {
    throw badRequest(
      "invalidFilter",
      `expected a dateTime value for "${label}", found ${formatValue(value)}`,
    );
  }
  return (v) => {
    const actual = typeof v === "string" ? parseDateTime(v) : Number.NaN;
    return !Number.isNaN(actual) && order(op as OrderOp, actual, wanted);
  };
}

/**
 * Strings (and references): lower-cased on both sides unless the attribute is caseExact (RFC 7644
 * §3.4.2.2); ordering is lexicographic by UTF-16 code unit. A number or boolean filter value is compared
 * as its text, because an unquoted `externalId eq 12345` reaches here as the number 12345.
 */
function stringTest(caseExact: boolean, op: TestOp, value: Exclude<FilterValue, null>): ValueTest {
  const fold = caseExact ? (s: string) => s : (s: string) => s.toLowerCase();
  const wanted = fold(String(value));
  return (v) => {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return false;
    const actual = fold(String(v));
    if (op === "co") return actual.includes(wanted);
    if (op === "sw") return actual.startsWith(wanted);
    if (op === "ew") return actual.endsWith(wanted);
    return order(op, actual, wanted);
  };
}

function order<T extends string | number>(op: OrderOp, a: T, b: T): boolean {
  switch (op) {
    case "eq":
      return a === b;
    case "gt":
      return a > b;
    case "ge":
      return a >= b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
  }
}
