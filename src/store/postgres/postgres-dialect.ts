import type { AttributeType } from "../../scim/schema-defs.js";
import type { SqlDialect, SqlFragment } from "../sql-filter.js";

/** A jsonb value at `path`, as text, guarded by its JSON type so a stray value compares as NULL, not an error. */
function typed(column: string, path: readonly string[], jsonType: string, cast: string): SqlFragment {
  return {
    sql: `(CASE WHEN jsonb_typeof(${column} #> ?::text[]) = '${jsonType}' THEN (${column} #>> ?::text[])::${cast} END)`,
    params: [path, path],
  };
}

/** jsonb of the array at `path`, or NULL when it is absent or not an array. */
function array(column: string, path: readonly string[]): SqlFragment {
  return {
    sql: `(CASE WHEN jsonb_typeof(${column} #> ?::text[]) = 'array' THEN ${column} #> ?::text[] END)`,
    params: [path, path],
  };
}

function jsonGet(column: string, path: readonly string[], type: AttributeType): SqlFragment {
  switch (type) {
    case "boolean":
      return typed(column, path, "boolean", "boolean");
    case "integer":
    case "decimal":
      return typed(column, path, "number", "numeric");
    default:
      // Strings and dateTimes compare as text, as on SQLite: dateTimes are stored as sent (Entra sends
      // ISO-8601 UTC) and the compiler normalises the filter literal with toISOString.
      return { sql: `(${column} #>> ?::text[])`, params: [path] };
  }
}

/**
 * PostgreSQL's spelling of the filter compiler's primitives. JSON paths are bound as `text[]`
 * parameters (URN keys contain colons and dots), so no attribute name is ever spliced into SQL.
 */
export const POSTGRES_DIALECT: SqlDialect = {
  jsonGet,
  jsonArray(column, path, alias): SqlFragment {
    const a = array(column, path);
    // jsonb_array_elements(NULL) yields no rows, so an absent attribute has no elements.
    return { sql: `jsonb_array_elements(${a.sql}) AS ${alias}(value)`, params: a.params };
  },
  jsonArrayLength(column, path): SqlFragment {
    const a = array(column, path);
    return { sql: `jsonb_array_length(${a.sql})`, params: a.params };
  },
  // lower() folds Unicode per the database's LC_CTYPE (UTF-8 locales), which agrees with JavaScript's
  // toLowerCase for the letters directories hold; the indexed _lc columns are written by JavaScript.
  lower: (sql) => `lower(${sql})`,
  contains: (h, n) => ({ sql: `strpos(${h.sql}, ?::text) > 0`, params: [...h.params, n] }),
  startsWith: (h, n) => ({ sql: `left(${h.sql}, length(?::text)) = ?::text`, params: [...h.params, n, n] }),
  endsWith: (h, n) => ({ sql: `right(${h.sql}, length(?::text)) = ?::text`, params: [...h.params, n, n] }),
  bool: (v) => v,
  coalesce: (p) => `coalesce(${p}, false)`,
  trueSql: "TRUE",
  falseSql: "FALSE",
};
