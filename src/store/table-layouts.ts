import { badRequest } from "../scim/errors.js";
import type { Filter } from "../scim/filter/ast.js";
import {
  COMMON_ATTRIBUTES,
  findAttribute,
  findSubAttribute,
  GROUP_RESOURCE,
  USER_RESOURCE,
} from "../scim/schema-defs.js";
import type { ColumnDef, SqlFragment, TableLayout } from "./sql-filter.js";

function common(name: string) {
  return COMMON_ATTRIBUTES.find((a) => a.name === name)!;
}

const META = common("meta");
const CREATED: ColumnDef = { column: "created", def: findSubAttribute(META, "created")! };
const LAST_MODIFIED: ColumnDef = { column: "last_modified", def: findSubAttribute(META, "lastModified")! };

const USER_COLUMNS = new Map<string, ColumnDef>([
  ["id", { column: "id", def: common("id") }],
  ["externalid", { column: "external_id", def: common("externalId") }],
  ["username", { column: "user_name_lc", lowered: true, def: findAttribute(USER_RESOURCE, "userName")!.def }],
  ["displayname", { column: "display_name", def: findAttribute(USER_RESOURCE, "displayName")!.def }],
  ["active", { column: "active", def: findAttribute(USER_RESOURCE, "active")!.def }],
  ["meta.created", CREATED],
  ["meta.lastmodified", LAST_MODIFIED],
]);

const GROUP_COLUMNS = new Map<string, ColumnDef>([
  ["id", { column: "id", def: common("id") }],
  ["externalid", { column: "external_id", def: common("externalId") }],
  [
    "displayname",
    { column: "display_name_lc", lowered: true, def: findAttribute(GROUP_RESOURCE, "displayName")!.def },
  ],
  ["meta.created", CREATED],
  ["meta.lastmodified", LAST_MODIFIED],
]);

/** Flattens `a and b and …` into its `eq` terms on sub-attributes, or undefined if it is anything else. */
function eqTerms(f: Filter): Map<string, string> | undefined {
  const terms = f.type === "and" ? f.filters : [f];
  const out = new Map<string, string>();
  for (const t of terms) {
    if (t.type !== "compare" || t.op !== "eq" || typeof t.value !== "string" || t.path.sub || t.path.uri) {
      return undefined;
    }
    out.set(t.path.attr.toLowerCase(), t.value);
  }
  return out;
}

/** `emails[value eq x (and type eq y)]` through the indexed side table (Entra's email matching). */
function emailLookup(tenantId: string, alias: string, f: Filter): SqlFragment | undefined {
  const terms = eqTerms(f);
  const value = terms?.get("value");
  if (!terms || value === undefined || [...terms.keys()].some((k) => k !== "value" && k !== "type")) {
    return undefined;
  }
  const type = terms.get("type");
  const typeSql = type === undefined ? "" : " AND type_lc = ?";
  return {
    sql: `${alias}.id IN (SELECT user_id FROM user_emails WHERE tenant_id = ? AND value_lc = ?${typeSql})`,
    params: [tenantId, value.toLowerCase(), ...(type === undefined ? [] : [type.toLowerCase()])],
  };
}

/**
 * How a backend's membership table answers the two membership filters, given the tenant and the id in the
 * filter (bound by `params`, in the order of the SQL's placeholders).
 */
export interface MembershipSql {
  /** Users (`u`) in group `?`: `groups[value eq "id"]`. */
  readonly usersInGroup: string;
  /** Groups (`g`) that have member `?`: `members[value eq "id"]`. */
  readonly groupsWithMember: string;
  readonly usersInGroupParams: (tenantId: string, groupId: string) => unknown[];
  readonly groupsWithMemberParams: (tenantId: string, memberId: string) => unknown[];
}

/** Memberships keyed by the tenant and the group's and member's ids (PostgreSQL). */
export const TEXT_KEYED_MEMBERSHIP: MembershipSql = {
  usersInGroup: "u.id IN (SELECT member_id FROM group_members WHERE tenant_id = ? AND group_id = ?)",
  groupsWithMember: "g.id IN (SELECT group_id FROM group_members WHERE tenant_id = ? AND member_id = ?)",
  usersInGroupParams: (tenantId, groupId) => [tenantId, groupId],
  groupsWithMemberParams: (tenantId, memberId) => [tenantId, memberId],
};

/**
 * Memberships keyed by the users' and groups' integer keys (SQLite since its migration 5): the ids in the
 * filter are looked up in their tables first, and a member id is a user's or a group's.
 */
export const SQLITE_MEMBERSHIP: MembershipSql = {
  usersInGroup: `u.pk IN (SELECT m.member_pk FROM group_members m
    WHERE m.member_group = 0 AND m.group_pk = (SELECT pk FROM groups WHERE tenant_id = ? AND id = ?))`,
  groupsWithMember: `g.pk IN (
    SELECT m.group_pk FROM group_members m
      WHERE m.member_group = 0 AND m.member_pk = (SELECT pk FROM users WHERE tenant_id = ? AND id = ?)
    UNION ALL SELECT m.group_pk FROM group_members m
      WHERE m.member_group = 1 AND m.member_pk = (SELECT pk FROM groups WHERE tenant_id = ? AND id = ?))`,
  usersInGroupParams: (tenantId, groupId) => [tenantId, groupId],
  groupsWithMemberParams: (tenantId, memberId) => [tenantId, memberId, tenantId, memberId],
};

/** `members[value eq "id"]` / `groups[value eq "id"]` through the membership table. */
function membershipLookup(
  sql: string,
  params: (value: string) => unknown[],
  attr: string,
  f: Filter,
): SqlFragment {
  const terms = eqTerms(f);
  const value = terms?.get("value");
  if (!terms || value === undefined || terms.size !== 1) {
    throw badRequest(
      "invalidFilter",
      `only "${attr}[value eq …]" and "${attr}.value eq …" filters are supported`,
    );
  }
  return { sql, params: params(value) };
}

/**
 * The users table as the filter compiler sees it, scoped to one tenant. Its columns are the same on every
 * backend (their migrations mirror each other); the membership table differs (see MembershipSql).
 */
export function userLayout(tenantId: string, membership = TEXT_KEYED_MEMBERSHIP): TableLayout {
  return {
    rt: USER_RESOURCE,
    alias: "u",
    columns: USER_COLUMNS,
    sideTable: (attr, f) => {
      if (attr === "emails") return emailLookup(tenantId, "u", f);
      if (attr === "groups") {
        const params = (id: string) => membership.usersInGroupParams(tenantId, id);
        return membershipLookup(membership.usersInGroup, params, "groups", f);
      }
      return undefined;
    },
  };
}

/** The groups table as the filter compiler sees it, scoped to one tenant. */
export function groupLayout(tenantId: string, membership = TEXT_KEYED_MEMBERSHIP): TableLayout {
  return {
    rt: GROUP_RESOURCE,
    alias: "g",
    columns: GROUP_COLUMNS,
    sideTable: (attr, f) => {
      if (attr !== "members") return undefined;
      const params = (id: string) => membership.groupsWithMemberParams(tenantId, id);
      return membershipLookup(membership.groupsWithMember, params, "members", f);
    },
  };
}
