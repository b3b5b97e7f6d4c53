import { RAW_DOC } from "../../scim/projection.js";
import type { ScimDoc } from "../../scim/types.js";
import type { StoredUser, UserGroupRef, UserOrigin } from "../store.js";

/** A users or groups row as the resource queries select it. */
export interface ResourceRow {
  id: string;
  origin?: UserOrigin;
  doc: string;
  version: number;
  created: string;
  last_modified: string;
  groups_json?: string;
  /** The user's or group's integer key (migration 5), selected where memberships are read or written. */
  pk?: number;
  /** The resource's latest chained audit row (see AuditLink), selected by writes only. */
  audit_head?: number | null;
}

/**
 * A stored resource from its row. The document is parsed on first use only, and its JSON text is kept
 * under RAW_DOC: a lookup's response splices that text instead of parsing and re-serialising it.
 */
export function toResource(row: ResourceRow): StoredUser {
  let doc: ScimDoc | undefined;
  const r: StoredUser = {
    id: row.id,
    ...(row.origin ? { origin: row.origin } : {}),
    get doc(): ScimDoc {
      doc ??= JSON.parse(row.doc) as ScimDoc;
      return doc;
    },
    version: row.version,
    created: row.created,
    lastModified: row.last_modified,
    ...(row.groups_json === undefined ? {} : { groups: parseGroups(row.groups_json) }),
  };
  return withRawDoc(r, row.doc);
}

/** Keeps `json`, the document's JSON text as stored, on a resource (see RAW_DOC). */
export function withRawDoc<T extends object>(r: T, json: string): T {
  return Object.defineProperty(r, RAW_DOC, { value: json });
}

/**
 * A user's direct groups as one JSON column of the user's row, by its integer key, so reading a user with its groups
 * is one statement, not two (Entra's lookups return `groups`). Unordered: parseGroups orders them by name.
 * An aggregate's `ORDER BY` makes SQLite open a sorter for every row it is computed for; in-process on the
 * 1M-user bench directory the column cost 24–30 µs with it and 21 µs without (eleventh session).
 */
export function groupsJson(userPkSql: string): string {
  return `(SELECT json_group_array(json_array(g.id, g.display_name, g.external_id))
    FROM group_members m JOIN groups g ON g.pk = m.group_pk
    WHERE m.member_group = 0 AND m.member_pk = ${userPkSql})`;
}

/** The groups column of a user row aliased `u`. */
export const GROUPS_JSON = groupsJson("u.pk");

/**
 * The groups column's JSON as UserGroupRefs, ordered by name case-insensitively (display names are unique per
 * tenant in that sense, so the order is total), as the PostgreSQL store orders them.
 */
export function parseGroups(json: string): UserGroupRef[] {
  const rows = JSON.parse(json) as [string, string, string | null][];
  const groups = rows.map(([value, display, externalId]) => ({ value, display, externalId }));
  if (groups.length < 2) return groups;
  // Lowercased as display_name_lc is written (String.prototype.toLowerCase), compared by code unit.
  const keyed = groups.map((g) => ({ g, k: g.display.toLowerCase() }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.g);
}
