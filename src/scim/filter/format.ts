/**
 * Canonical filter text: what `parseFilter` reads back to the same AST. Used by property tests and in
 * error messages. Strings are JSON-quoted, so a value never turns into a keyword or a number.
 */
import type { Filter, FilterValue, LogicalNode } from "./ast.js";
import { formatAttrPath } from "./attr-path.js";

/**
 * Writes a filter as canonical RFC 7644 §3.4.2.2 text that parses back to the same AST (for every AST
 * `parseFilter` can produce; not for nested value paths or a value path on `a.b`, which it refuses).
 */
export function formatFilter(f: Filter): string {
  switch (f.type) {
    case "compare":
      return `${formatAttrPath(f.path)} ${f.op} ${formatValue(f.value)}`;
    case "present":
      return `${formatAttrPath(f.path)} pr`;
    case "and":
    case "or":
      return f.filters.map((child) => formatOperand(f.type, child)).join(` ${f.type} `);
    case "not":
      return `not (${formatFilter(f.filter)})`;
    case "valuePath":
      return `${formatAttrPath(f.path)}[${formatFilter(f.filter)}]`;
  }
}

/**
 * Parenthesises an operand unless precedence makes that redundant: `and` binds tighter than `or`, so
 * an `and` inside an `or` needs none. A same-type child keeps its parentheses, because the parser only
 * flattens unparenthesised chains (`a and (b and c)` stays two nodes).
 */
function formatOperand(parent: LogicalNode["type"], child: Filter): string {
  const isLogical = child.type === "and" || child.type === "or";
  const needsParens = isLogical && !(parent === "or" && child.type === "and");
  const text = formatFilter(child);
  return needsParens ? `(${text})` : text;
}

/** JSON text of a value; `-0` keeps its sign. Non-finite numbers (never parsed) print as `null`. */
export function formatValue(value: FilterValue): string {
  if (typeof value === "number" && Object.is(value, -0)) return "-0";
  return JSON.stringify(value);
}
