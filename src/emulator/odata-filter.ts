/**
 * The slice of OData `$filter` the emulator understands: `prop eq 'value'` clauses (property paths with
 * `/`) joined by `and`. Anything else is refused with Graph's 400, never silently ignored.
 */
import { badRequest } from "./graph-errors.js";

/** One `path eq 'value'` clause. */
export interface EqClause {
  readonly path: string[];
  readonly value: string;
}

/** Parses `$filter`; throws Graph's 400 `BadRequest` for unsupported syntax. */
export function parseEqFilter(filter: string | undefined): EqClause[] {
  if (filter === undefined || filter.trim() === "") return [];
  return filter.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*([A-Za-z][\w/]*)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!m)
      throw badRequest(
        `Invalid filter clause: '${clause.trim()}'. The emulator supports "property eq 'value'" joined by "and".`,
      );
    return { path: m[1]!.split("/"), value: m[2]!.replaceAll("''", "'") };
  });
}

/** True when the object satisfies every clause (string comparison; Graph's eq is case-insensitive on most directory properties). */
export function matchesEq(obj: unknown, clauses: readonly EqClause[]): boolean {
  return clauses.every((clause) => {
    let value: unknown = obj;
    for (const key of clause.path) value = (value as Record<string, unknown> | undefined)?.[key];
    return (
      value !== undefined && value !== null && String(value).toLowerCase() === clause.value.toLowerCase()
    );
  });
}
