import { compileFilter, compileSortKey, type SqlFragment, type TableLayout } from "../sql-filter.js";
import type { ListQuery } from "../store.js";
import { SQLITE_DIALECT } from "./sqlite-dialect.js";

/** The page query of a list, and the count query for when the page alone does not tell the total. */
export function buildListSql(
  table: string,
  layout: TableLayout,
  tenantId: string,
  q: ListQuery,
  extraColumns = "",
): { page: SqlFragment; count: SqlFragment } {
  const a = layout.alias;
  const where = q.filter ? compileFilter(q.filter, layout, SQLITE_DIALECT) : { sql: "1", params: [] };
  const sort = q.sortBy ? compileSortKey(q.sortBy, layout, SQLITE_DIALECT) : undefined;
  const dir = q.sortOrder === "descending" ? "DESC" : "ASC";
  // RFC 7644 §3.4.2.3: resources without the sortBy attribute come last ascending, first descending.
  const nulls = dir === "ASC" ? "NULLS LAST" : "NULLS FIRST";
  const base = `FROM ${table} ${a} WHERE ${a}.tenant_id = ? AND ${where.sql}`;
  const params = [tenantId, ...where.params];
  // No count(*) OVER (): it made SQLite materialise and re-scan the matches on every lookup, doubling
  // the cost of Entra's eq lookups; a partial page already tells the total (see totalOf).
  const select = `SELECT ${a}.id, ${a}.doc, ${a}.version, ${a}.created, ${a}.last_modified${extraColumns}`;
  // `?+0`, not `?`: SQLite (3.47+) reads a bare bound LIMIT/OFFSET while planning and then marks the
  // statement to be recompiled whenever that parameter is bound again — on every execution, since
  // better-sqlite3 rebinds all parameters. Measured: a userName lookup 56 µs → 14 µs of SQLite time.
  const limit = "LIMIT ?+0 OFFSET ?+0";
  const bounds = [q.count, q.startIndex - 1];
  const count = { sql: `SELECT count(*) AS n ${base}`, params };
  if (!sort && q.startIndex <= 1) {
    // The first page in the default order (every Entra lookup): whole rows, at most `count` of them sorted.
    return {
      page: {
        sql: `${select} ${base} ORDER BY ${a}.created, ${a}.id ${limit}`,
        params: [...params, ...bounds],
      },
      count,
    };
  }
  // A sorted or deeper page: the rows up to the page's end are ordered by their keys alone, and only the
  // page's rows are read whole. Ordering whole rows kept startIndex - 1 + count documents in SQLite's
  // temporary sort b-tree (in memory, see SqliteDb): sortBy name.familyName at startIndex 500,000 of 1M
  // users peaked at 622 MB.
  const key = sort ? sort.sql : `${a}.created`;
  const keyOrder = (p: string) => (sort ? `${p}k ${dir} ${nulls}, ${p}kid` : `${p}k, ${p}kid`);
  const keys = `SELECT ${a}.id AS kid, ${key} AS k ${base} ORDER BY ${keyOrder("")} ${limit}`;
  return {
    page: {
      // The outer LIMIT keeps the page a LIMITed query, whose ORDER BY holds where it is wrapped again.
      sql: `${select} FROM (${keys}) p JOIN ${table} ${a} ON ${a}.tenant_id = ? AND ${a}.id = p.kid
        ORDER BY ${keyOrder("p.")} LIMIT ?+0`,
      params: [...(sort?.params ?? []), ...params, ...bounds, tenantId, q.count],
    },
    count,
  };
}
