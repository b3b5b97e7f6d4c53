import { requireKnownMembers } from "../rows.js";
import type { SqliteDb } from "./sqlite-db.js";

/** A member as the membership table keys it (migration 5): its kind and its user's or group's integer key. */
export interface MemberKey {
  readonly type: "User" | "Group";
  readonly pk: number;
}

/** `group_members.member_group` of a member of `type`. */
export function memberGroupFlag(type: "User" | "Group"): 0 | 1 {
  return type === "Group" ? 1 : 0;
}

/**
 * The keys of those of `ids` that are users or groups of the tenant (a group is never its own member), one
 * statement per table for the whole batch (Entra adds many per PATCH). Ids that are neither are left out.
 */
export function memberKeys(
  sql: SqliteDb,
  tenantId: string,
  groupId: string,
  ids: readonly string[],
): Map<string, MemberKey> {
  const keys = new Map<string, MemberKey>();
  const find = (table: string, wanted: readonly string[], type: "User" | "Group") => {
    const q = `SELECT id, pk FROM ${table} WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`;
    const rows = sql.stmt(q).all(tenantId, JSON.stringify(wanted)) as { id: string; pk: number }[];
    for (const r of rows) if (!keys.has(r.id)) keys.set(r.id, { type, pk: r.pk });
  };
  if (ids.length > 0) find("users", ids, "User");
  const rest = ids.filter((id) => !keys.has(id) && id !== groupId);
  if (rest.length > 0) find("groups", rest, "Group");
  return keys;
}

/** memberKeys, refusing any id that is not a user or group of the tenant (members being added). */
export function knownMemberKeys(
  sql: SqliteDb,
  tenantId: string,
  groupId: string,
  ids: readonly string[],
): Map<string, MemberKey> {
  return requireKnownMembers(ids, memberKeys(sql, tenantId, groupId, ids));
}
