import type { SqlDialect, SqlFragment } from "../sql-filter.js";

/** A JSON path for SQLite's json functions: `$."a"."b"` (keys quoted: URNs contain colons and dots). */
export function sqliteJsonPath(path: readonly string[]): string {
  return `$${path.map((k) => `."${k.replace(/"/g, '""')}"`).join("")}`;
}

/** SQLite's spelling of the filter compiler's primitives. */
export const SQLITE_DIALECT: SqlDialect = {
  jsonGet(column, path): SqlFragment {
    return { sql: `json_extract(${column}, ?)`, params: [sqliteJsonPath(path)] };
  },
  jsonArray(column, path, alias): SqlFragment {
    return { sql: `json_each(${column}, ?) AS ${alias}`, params: [sqliteJsonPath(path)] };
  },
  jsonArrayLength(column, path): SqlFragment {
    return { sql: `json_array_length(${column}, ?)`, params: [sqliteJsonPath(path)] };
  },
  // scim_lower is registered on each connection with JavaScript's toLowerCase: SQLite's lower() only
  // folds ASCII, and the lower-cased index columns are written by JavaScript.
  lower: (sql) => `scim_lower(${sql})`,
  contains: (h, n) => ({ sql: `instr(${h.sql}, ?) > 0`, params: [...h.params, n] }),
  startsWith: (h, n) => ({ sql: `instr(${h.sql}, ?) = 1`, params: [...h.params, n] }),
  // substr(x, -0) is the whole string, so "ends with the empty string" needs its own case.
  endsWith: (h, n) =>
    n === ""
      ? { sql: `${h.sql} IS NOT NULL`, params: h.params }
      : { sql: `substr(${h.sql}, -length(?)) = ?`, params: [...h.params, n, n] },
  bool: (v) => (v ? 1 : 0),
  coalesce: (p) => `coalesce(${p}, 0)`,
  trueSql: "1",
  falseSql: "0",
};
