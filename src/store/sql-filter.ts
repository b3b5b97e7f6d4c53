import { badRequest } from "../scim/errors.js";
import type { AttrPath, CompareNode, Filter, FilterValue } from "../scim/filter/ast.js";
import {
  type AttributeDef,
  findAttribute,
  findSubAttribute,
  type ResourceTypeDef,
  type SchemaDef,
  splitSchemaUri,
} from "../scim/schema-defs.js";

/** A fragment of SQL with `?` placeholders and its parameters, in order. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The SQL a backend spells differently. Every method returns SQL with `?` placeholders. */
export interface SqlDialect {
  /** Scalar at a JSON path inside a column, typed per the attribute's SCIM type. */
  jsonGet(column: string, path: readonly string[], type: AttributeDef["type"]): SqlFragment;
  /** A row source over the elements of a JSON array, aliased `alias` (`alias.value` is an element). */
  jsonArray(column: string, path: readonly string[], alias: string): SqlFragment;
  /** Number of elements of a JSON array (0 when absent). */
  jsonArrayLength(column: string, path: readonly string[]): SqlFragment;
  /** Lower-cases text the way JavaScript's `toLowerCase` does. */
  lower(sql: string): string;
  /** `haystack` contains / starts with / ends with the string `needle`, case-sensitively, with no LIKE. */
  contains(haystack: SqlFragment, needle: string): SqlFragment;
  startsWith(haystack: SqlFragment, needle: string): SqlFragment;
  endsWith(haystack: SqlFragment, needle: string): SqlFragment;
  /** A boolean parameter value. */
  bool(value: boolean): unknown;
  /** A never-NULL boolean from a possibly-NULL predicate. */
  coalesce(predicate: string): string;
  readonly trueSql: string;
  readonly falseSql: string;
}

/** A column a resource type keeps outside its JSON document (for indexes). */
export interface ColumnDef {
  readonly column: string;
  /** The column stores the lower-cased value; compare against a lower-cased parameter. */
  readonly lowered?: boolean;
  readonly def: AttributeDef;
}

/** How one resource type's table is laid out, for the compiler. */
export interface TableLayout {
  readonly rt: ResourceTypeDef;
  /** Table alias used in the query, e.g. `u`. */
  readonly alias: string;
  /** Top-level or dotted attribute name (`userName`, `meta.created`), lower-cased → column. */
  readonly columns: ReadonlyMap<string, ColumnDef>;
  /** Compiles a predicate on a multi-valued attribute that lives in a side table, or returns undefined. */
  readonly sideTable?: (attr: string, filter: Filter, ctx: CompileContext) => SqlFragment | undefined;
}

/** Compiler state shared with side-table hooks. */
export interface CompileContext {
  readonly dialect: SqlDialect;
  readonly layout: TableLayout;
  nextAlias(): string;
}

const COMPARE_SQL: Record<"eq" | "ne" | "gt" | "ge" | "lt" | "le", string> = {
  eq: "=",
  ne: "<>",
  gt: ">",
  ge: ">=",
  lt: "<",
  le: "<=",
};

/** Positive-context dialect → the dialect it was derived from (whose `coalesce` really coalesces). */
const TWO_VALUED = new WeakMap<SqlDialect, SqlDialect>();

/**
 * Compiles a filter into a parameterised SQL predicate over one resource table, true exactly for the
 * matching rows (it may be NULL for others; use it in WHERE).
 */
export function compileFilter(filter: Filter, layout: TableLayout, dialect: SqlDialect): SqlFragment {
  let n = 0;
  // Outside NOT, a NULL leaf drops the row just as FALSE does, so leaves stay bare: `coalesce(col = ?, …)`
  // hides the column from every index, and Entra's `userName eq …` lookups must use one. Under NOT a
  // NULL would drop the row where SCIM wants it kept, so leaves there are coalesced (see underNot).
  const positive: SqlDialect = { ...dialect, coalesce: (p) => p };
  TWO_VALUED.set(positive, dialect);
  const ctx: CompileContext = { dialect: positive, layout, nextAlias: () => `e${n++}` };
  return compileNode(filter, ctx);
}

function underNot(ctx: CompileContext): CompileContext {
  return { ...ctx, dialect: TWO_VALUED.get(ctx.dialect) ?? ctx.dialect };
}

function compileNode(f: Filter, ctx: CompileContext): SqlFragment {
  switch (f.type) {
    case "and":
    case "or": {
      const parts = f.filters.map((x) => compileNode(x, ctx));
      return join(parts, f.type === "and" ? " AND " : " OR ");
    }
    case "not": {
      const inner = compileNode(f.filter, underNot(ctx));
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    case "valuePath":
      return compileValuePath(f.path, f.filter, ctx);
    case "present":
      return compilePresent(f.path, ctx);
    case "compare":
      return compileCompare(f, ctx);
  }
}

function join(parts: SqlFragment[], sep: string): SqlFragment {
  return { sql: `(${parts.map((p) => p.sql).join(sep)})`, params: parts.flatMap((p) => p.params) };
}

/** Where an attribute path lives: a dedicated column, a JSON path, or a multi-valued attribute. */
type Target =
  | { kind: "column"; col: ColumnDef }
  | { kind: "json"; path: string[]; def: AttributeDef }
  | { kind: "multi"; path: string[]; def: AttributeDef; sub: AttributeDef | undefined; attr: string };

function resolveTarget(p: AttrPath, layout: TableLayout): Target {
  const colKey = (p.sub ? `${p.attr}.${p.sub}` : p.attr).toLowerCase();
  const col = p.uri === undefined || p.uri.toLowerCase() === layout.rt.schema.id.toLowerCase();
  const column = col ? layout.columns.get(colKey) : undefined;
  if (column) return { kind: "column", col: column };
  const found = findAttribute(layout.rt, p.attr, p.uri) ?? findInExtensions(layout.rt, p.attr, p.uri);
  if (!found) throw badRequest("invalidFilter", `unknown attribute "${formatPath(p)}" in filter`);
  if (found.def.name === "meta") throw badRequest("invalidFilter", `"${formatPath(p)}" is not filterable`);
  const base = found.extension ? [found.extension, found.def.name] : [found.def.name];
  const sub = resolveSub(found.def, p);
  if (found.def.multiValued) return { kind: "multi", path: base, def: found.def, sub, attr: found.def.name };
  if (found.def.type === "complex") {
    // `manager eq "id"` (Entra's example 4) compares the implicit `value` sub-attribute.
    const s = sub ?? findSubAttribute(found.def, "value");
    if (!s) throw badRequest("invalidFilter", `"${formatPath(p)}" needs a sub-attribute in filter`);
    return { kind: "json", path: [...base, s.name], def: s };
  }
  if (sub || p.sub) throw badRequest("invalidFilter", `"${found.def.name}" has no sub-attributes`);
  return { kind: "json", path: base, def: found.def };
}

/** Entra filters on `manager` without the enterprise URN; resolve bare names in extensions. */
function findInExtensions(rt: ResourceTypeDef, attr: string, uri: string | undefined) {
  if (uri !== undefined) return undefined;
  for (const ext of rt.extensions as readonly SchemaDef[]) {
    const found = findAttribute(rt, attr, ext.id);
    if (found) return found;
  }
  return undefined;
}

function resolveSub(def: AttributeDef, p: AttrPath): AttributeDef | undefined {
  if (p.sub === undefined) return undefined;
  const sub = findSubAttribute(def, p.sub);
  if (!sub) throw badRequest("invalidFilter", `unknown attribute "${formatPath(p)}" in filter`);
  return sub;
}

function formatPath(p: AttrPath): string {
  return `${p.uri ? `${p.uri}:` : ""}${p.attr}${p.sub ? `.${p.sub}` : ""}`;
}

function compileCompare(f: CompareNode, ctx: CompileContext): SqlFragment {
  const t = resolveTarget(f.path, ctx.layout);
  if (t.kind === "multi") {
    const sub = t.sub ?? findSubAttribute(t.def, "value");
    if (!sub) throw badRequest("invalidFilter", `"${t.attr}" needs a sub-attribute in filter`);
    const inner: Filter = { type: "compare", path: { attr: sub.name }, op: f.op, value: f.value };
    return compileValuePath({ attr: t.attr, uri: f.path.uri }, inner, ctx);
  }
  const expr =
    t.kind === "column"
      ? { sql: `${ctx.layout.alias}.${t.col.column}`, params: [] as unknown[] }
      : ctx.dialect.jsonGet(`${ctx.layout.alias}.doc`, t.path, t.def.type);
  const def = t.kind === "column" ? t.col.def : t.def;
  const lowered = t.kind === "column" && t.col.lowered === true;
  return comparison(expr, def, lowered, f, ctx.dialect);
}

/** Builds `expr op value` honouring the attribute's type and caseExact (RFC 7644 §3.4.2.2). */
export function comparison(
  expr: SqlFragment,
  def: AttributeDef,
  lowered: boolean,
  f: Pick<CompareNode, "op" | "value" | "path">,
  d: SqlDialect,
): SqlFragment {
  if (f.value === null) return nullComparison(expr, f.op, d, f.path);
  const value = coerceValue(def, f.value, f.path);
  const fold =
    typeof value === "string" && !def.caseExact && (def.type === "string" || def.type === "reference");
  const left = fold && !lowered ? d.lower(expr.sql) : expr.sql;
  // Booleans go through the dialect: SQLite binds no booleans (json_extract yields 1/0 for them).
  const param =
    fold && typeof value === "string"
      ? value.toLowerCase()
      : typeof value === "boolean"
        ? d.bool(value)
        : value;
  const params = [...expr.params, param];
  if (typeof value === "boolean" && f.op !== "eq" && f.op !== "ne") {
    throw badRequest("invalidFilter", `operator "${f.op}" does not apply to boolean "${formatPath(f.path)}"`);
  }
  const lhs: SqlFragment = { sql: left, params: expr.params };
  switch (f.op) {
    case "co":
      return wrap(d, d.contains(lhs, stringOnly(param, f)));
    case "sw":
      return wrap(d, d.startsWith(lhs, stringOnly(param, f)));
    case "ew":
      return wrap(d, d.endsWith(lhs, stringOnly(param, f)));
    case "ne":
      // RFC 7644 §3.4.2.2: an absent attribute is "not equal" to any value.
      return { sql: `(${left} IS NULL OR ${left} <> ?)`, params: [...expr.params, ...params] };
    default:
      return { sql: d.coalesce(`${left} ${COMPARE_SQL[f.op]} ?`), params };
  }
}

function wrap(d: SqlDialect, f: SqlFragment): SqlFragment {
  return { sql: d.coalesce(f.sql), params: f.params };
}

function stringOnly(value: unknown, f: Pick<CompareNode, "op" | "path">): string {
  if (typeof value !== "string") {
    throw badRequest("invalidFilter", `operator "${f.op}" needs a string value for "${formatPath(f.path)}"`);
  }
  return value;
}

function nullComparison(expr: SqlFragment, op: string, d: SqlDialect, path: AttrPath): SqlFragment {
  if (op === "eq") return { sql: `(${expr.sql} IS NULL)`, params: expr.params };
  if (op === "ne") return { sql: `(${expr.sql} IS NOT NULL)`, params: expr.params };
  void d;
  throw badRequest("invalidFilter", `operator "${op}" cannot compare "${formatPath(path)}" with null`);
}

/** Converts a filter literal to the attribute's type; Entra-style leniency for booleans and numbers. */
function coerceValue(
  def: AttributeDef,
  value: Exclude<FilterValue, null>,
  path: AttrPath,
): string | number | boolean {
  switch (def.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
      throw badRequest("invalidFilter", `"${formatPath(path)}" is a boolean; compare it with true or false`);
    case "integer":
    case "decimal":
      if (typeof value === "number") return value;
      throw badRequest("invalidFilter", `"${formatPath(path)}" is a number; compare it with a number`);
    case "dateTime": {
      const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms)) throw badRequest("invalidFilter", `"${formatPath(path)}" needs a dateTime value`);
      return new Date(ms).toISOString();
    }
    default:
      return typeof value === "string" ? value : String(value);
  }
}

function compilePresent(p: AttrPath, ctx: CompileContext): SqlFragment {
  const t = resolveTarget(p, ctx.layout);
  const d = ctx.dialect;
  if (t.kind === "multi") {
    if (t.sub) return compileValuePath(p, { type: "present", path: { attr: t.sub.name } }, ctx);
    const len = d.jsonArrayLength(`${ctx.layout.alias}.doc`, t.path);
    return { sql: d.coalesce(`${len.sql} > 0`), params: len.params };
  }
  const expr =
    t.kind === "column"
      ? { sql: `${ctx.layout.alias}.${t.col.column}`, params: [] as unknown[] }
      : d.jsonGet(`${ctx.layout.alias}.doc`, t.path, t.def.type);
  const def = t.kind === "column" ? t.col.def : t.def;
  // RFC 7644 §3.4.2.2 "pr": present and not empty.
  if (def.type === "string" || def.type === "reference") {
    return {
      sql: d.coalesce(`(${expr.sql} IS NOT NULL AND ${expr.sql} <> '')`),
      params: [...expr.params, ...expr.params],
    };
  }
  return { sql: d.coalesce(`(${expr.sql} IS NOT NULL)`), params: expr.params };
}

/** `attr[filter]`: some element of a multi-valued attribute matches (EXISTS over its elements). */
function compileValuePath(p: AttrPath, inner: Filter, ctx: CompileContext): SqlFragment {
  const hooked = ctx.layout.sideTable?.(p.attr.toLowerCase(), inner, ctx);
  if (hooked) return hooked;
  const found = findAttribute(ctx.layout.rt, p.attr, p.uri) ?? findInExtensions(ctx.layout.rt, p.attr, p.uri);
  if (!found?.def.multiValued) {
    throw badRequest("invalidFilter", `"${formatPath(p)}" is not a multi-valued attribute`);
  }
  const base = found.extension ? [found.extension, found.def.name] : [found.def.name];
  const alias = ctx.nextAlias();
  const source = ctx.dialect.jsonArray(`${ctx.layout.alias}.doc`, base, alias);
  const cond = compileElement(inner, found.def, alias, ctx);
  return {
    sql: `EXISTS (SELECT 1 FROM ${source.sql} WHERE ${cond.sql})`,
    params: [...source.params, ...cond.params],
  };
}

function compileElement(f: Filter, parent: AttributeDef, alias: string, ctx: CompileContext): SqlFragment {
  switch (f.type) {
    case "and":
    case "or":
      return join(
        f.filters.map((x) => compileElement(x, parent, alias, ctx)),
        f.type === "and" ? " AND " : " OR ",
      );
    case "not": {
      const inner = compileElement(f.filter, parent, alias, underNot(ctx));
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    case "valuePath":
      throw badRequest("invalidFilter", "value paths cannot be nested");
    case "present":
    case "compare": {
      const sub = findSubAttribute(parent, f.path.attr);
      if (!sub || f.path.sub !== undefined || f.path.uri !== undefined) {
        throw badRequest("invalidFilter", `unknown attribute "${parent.name}.${f.path.attr}" in filter`);
      }
      const expr = ctx.dialect.jsonGet(`${alias}.value`, [sub.name], sub.type);
      if (f.type === "present") {
        return { sql: ctx.dialect.coalesce(`(${expr.sql} IS NOT NULL)`), params: expr.params };
      }
      return comparison(expr, sub, false, f, ctx.dialect);
    }
  }
}

/** Compiles a `sortBy` attribute (RFC 7644 §3.4.2.3) into an ORDER BY expression. */
export function compileSortKey(sortBy: string, layout: TableLayout, dialect: SqlDialect): SqlFragment {
  const [uri, rest] = splitSchemaUri(layout.rt, sortBy);
  const [attr = "", sub, extra] = rest.split(".");
  if (!attr || extra !== undefined)
    throw badRequest("invalidValue", `sortBy "${sortBy}" is not an attribute path`);
  const path: AttrPath = { attr, ...(uri ? { uri } : {}), ...(sub ? { sub } : {}) };
  let t: Target;
  try {
    t = resolveTarget(path, layout);
  } catch {
    throw badRequest("invalidValue", `sortBy "${sortBy}" is not a sortable attribute`);
  }
  if (t.kind === "column") {
    const col = `${layout.alias}.${t.col.column}`;
    const fold = !t.col.lowered && !t.col.def.caseExact && t.col.def.type === "string";
    return { sql: fold ? dialect.lower(col) : col, params: [] };
  }
  if (t.kind === "multi")
    throw badRequest("invalidValue", `sortBy "${sortBy}" is multi-valued; not supported`);
  const expr = dialect.jsonGet(`${layout.alias}.doc`, t.path, t.def.type);
  const fold = !t.def.caseExact && t.def.type === "string";
  return fold ? { sql: dialect.lower(expr.sql), params: expr.params } : expr;
}
