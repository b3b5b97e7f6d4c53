/**
 * The filter AST (RFC 7644 §3.4.2.2). Produced by `parseFilter`, consumed by the in-memory evaluator
 * (PATCH value filters) and by each store's SQL compiler. Attribute names are as the client wrote them;
 * resolving them against a schema (case-insensitively) is the consumer's job.
 */

/** The comparison operators of RFC 7644 §3.4.2.2, lower-cased. */
export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

/** A comparison value: a JSON literal (string, number, boolean or null). */
export type FilterValue = string | number | boolean | null;

/**
 * An attribute path as written: optional schema URN, attribute name, optional sub-attribute.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` →
 * `{ uri: "urn:…:enterprise:2.0:User", attr: "manager", sub: "value" }`.
 */
export interface AttrPath {
  readonly uri?: string;
  readonly attr: string;
  readonly sub?: string;
}

/** `attrPath op value`. */
export interface CompareNode {
  readonly type: "compare";
  readonly path: AttrPath;
  readonly op: CompareOp;
  readonly value: FilterValue;
}

/** `attrPath pr`. */
export interface PresentNode {
  readonly type: "present";
  readonly path: AttrPath;
}

/**
 * `a and b and …` / `a or b or …` (flattened, two or more operands). `parseFilter` flattens only an
 * unparenthesised chain: `a and (b and c)` keeps the client's grouping as two nested nodes.
 */
export interface LogicalNode {
  readonly type: "and" | "or";
  readonly filters: readonly Filter[];
}

/** `not (f)`. */
export interface NotNode {
  readonly type: "not";
  readonly filter: Filter;
}

/**
 * `attr[valFilter]`: true when one element of the multi-valued attribute `path` matches `filter`,
 * whose paths are relative to the element (sub-attribute names in `attr`). The Entra form
 * `emails[type eq "work"].value eq "x"` parses to `emails[type eq "work" and value eq "x"]`.
 */
export interface ValuePathNode {
  readonly type: "valuePath";
  readonly path: AttrPath;
  readonly filter: Filter;
}

/** Any filter expression. */
export type Filter = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

/**
 * A PATCH path (RFC 7644 §3.5.2: `attrPath / valuePath [subAttr]`):
 * `emails[type eq "work"].value` → `{ path: {attr:"emails"}, filter: type eq "work", sub: "value" }`.
 * `name.givenName` → `{ path: {attr:"name", sub:"givenName"} }`.
 */
export interface PatchPath {
  readonly path: AttrPath;
  readonly filter?: Filter;
  /** Sub-attribute after a value filter (`…].value`). */
  readonly sub?: string;
}

/** Limits that keep a hostile filter from costing CPU or stack (peers.md §5). */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting of parentheses, `not` and value paths. */
export const MAX_FILTER_DEPTH = 8;
/** Most comparison/presence terms in one filter. */
export const MAX_FILTER_TERMS = 64;
