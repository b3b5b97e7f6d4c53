import { RAW_DOC } from "../../scim/projection.js";
import type { ScimDoc } from "../../scim/types.js";
import type { GroupMember, StoredGroup, StoredUser, UserGroupRef, UserOrigin } from "../store.js";

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
 * A stored user or group read from its row. The document is parsed on first use only, and its JSON text is
 * kept under RAW_DOC: a lookup's response splices that text instead of parsing and re-serialising it.
 *
 * A class, with `doc` and RAW_DOC as getters on its prototype. It was an object literal with its own
 * `get doc()`: each such getter is a new closure, so every resource got a hidden class (a V8 map, in old
 * space) of its own, and those maps, dead or not, kept each resource's row, closure and strings alive
 * through the young generation's collections until the next full one. Under Entra's lookups about 5% of
 * everything allocated was promoted that way, and the young collections copied it: 3-4 ms pauses some 15
 * times a second. In a microbenchmark the literal cost 3.2 µs per row and promoted 0.65 MB per collection;
 * the class costs 1.0 µs and promotes nothing (twelfth session). `doc` is not an own property: copy a
 * resource field by field, not by spreading it.
 */
class RowResource implements StoredUser, StoredGroup {
  readonly id: string;
  readonly origin?: UserOrigin;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  readonly groups?: readonly UserGroupRef[];
  readonly members?: readonly GroupMember[];
  readonly #json: string;
  #parsed: ScimDoc | undefined;

  constructor(row: ResourceRow, members?: readonly GroupMember[]) {
    this.id = row.id;
    if (row.origin) this.origin = row.origin;
    this.version = row.version;
    this.created = row.created;
    this.lastModified = row.last_modified;
    if (row.groups_json !== undefined) this.groups = parseGroups(row.groups_json);
    if (members) this.members = members;
    this.#json = row.doc;
  }

  get doc(): ScimDoc {
    this.#parsed ??= JSON.parse(this.#json) as ScimDoc;
    return this.#parsed;
  }

  get [RAW_DOC](): string {
    return this.#json;
  }
}

/** A stored resource from its row (see RowResource), a group with its members when they are given. */
export function toResource(row: ResourceRow, members?: readonly GroupMember[]): StoredUser & StoredGroup {
  return new RowResource(row, members);
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
