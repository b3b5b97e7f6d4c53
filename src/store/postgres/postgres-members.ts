// Group membership on PostgreSQL: locking order, O(delta) member changes, member and group listings.
import type { MemberDelta } from "../../scim/types.js";
import { requireKnownMembers } from "../rows.js";
import type { GroupMember, UserGroupRef } from "../store.js";
import type { Sql } from "./postgres-db.js";

const now = () => new Date().toISOString();

/**
 * A user's direct groups as one jsonb column of the user's own row (`u`), ordered by name: reading a user
 * with its groups (what Entra's lookups return) is then one statement.
 */
export const USER_GROUPS_SQL = `(SELECT coalesce(jsonb_agg(jsonb_build_object('value', g.id, 'display',
    g.display_name, 'externalId', g.external_id) ORDER BY g.display_name_lc, g.id), '[]'::jsonb)
  FROM group_members m JOIN groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
  WHERE m.tenant_id = u.tenant_id AND m.member_id = u.id)`;

/**
 * Locks the groups `memberId` belongs to before the member itself, in id order: the same order a group
 * PATCH takes (group row, then member row), so deleting a member and adding it elsewhere cannot deadlock.
 */
export async function lockGroupsOf(sql: Sql, tenantId: string, memberId: string): Promise<void> {
  await sql.exec(
    `SELECT 1 FROM groups WHERE tenant_id = ? AND id IN
       (SELECT group_id FROM group_members WHERE tenant_id = ? AND member_id = ?) ORDER BY id FOR NO KEY UPDATE`,
    [tenantId, tenantId, memberId],
  );
}

/** Drops every membership of `memberId`, bumping the version of each group it leaves. */
export async function removeAsMember(sql: Sql, tenantId: string, memberId: string): Promise<void> {
  await sql.exec(
    `UPDATE groups SET version = version + 1, last_modified = ? WHERE tenant_id = ? AND id IN
       (SELECT group_id FROM group_members WHERE tenant_id = ? AND member_id = ?)`,
    [now(), tenantId, tenantId, memberId],
  );
  await sql.exec("DELETE FROM group_members WHERE tenant_id = ? AND member_id = ?", [tenantId, memberId]);
}

/**
 * Resolves each new member to User or Group, holding a KEY SHARE lock on it so a concurrent delete of
 * that member waits for this transaction (and then removes the new membership too) or wins first (and
 * this one fails with "invalid").
 */
async function memberTypes(sql: Sql, tenantId: string, groupId: string, ids: readonly string[]) {
  // One round trip; users are locked first, then groups, each in id order.
  const found = await sql.rows<{ id: string; type: "User" | "Group" }>(
    `SELECT id, 'User' AS type FROM
       (SELECT id FROM users WHERE tenant_id = ? AND id = ANY(?::text[]) ORDER BY id FOR KEY SHARE) u
     UNION ALL SELECT id, 'Group' AS type FROM
       (SELECT id FROM groups WHERE tenant_id = ? AND id = ANY(?::text[]) AND id <> ? ORDER BY id FOR KEY SHARE) g`,
    [tenantId, ids, tenantId, ids, groupId],
  );
  const types = new Map<string, "User" | "Group">();
  for (const r of found) if (!types.has(r.id)) types.set(r.id, r.type);
  return requireKnownMembers(ids, types);
}

/** Applies a member delta in O(delta) statements: never reads or rewrites the rest of the member list. */
export async function applyMembers(
  sql: Sql,
  tenantId: string,
  groupId: string,
  delta: MemberDelta,
): Promise<void> {
  if (delta.clear)
    await sql.exec("DELETE FROM group_members WHERE tenant_id = ? AND group_id = ?", [tenantId, groupId]);
  if (delta.remove.length > 0) {
    await sql.exec(
      "DELETE FROM group_members WHERE tenant_id = ? AND group_id = ? AND member_id = ANY(?::text[])",
      [tenantId, groupId, [...new Set(delta.remove)]],
    );
  }
  if (delta.add.length === 0) return;
  const ids = [...new Set(delta.add)];
  const types = await memberTypes(sql, tenantId, groupId, ids);
  await sql.exec(
    `INSERT INTO group_members (tenant_id, group_id, member_id, member_type)
     SELECT ?, ?, m, t FROM unnest(?::text[], ?::text[]) AS x(m, t) ON CONFLICT DO NOTHING`,
    [tenantId, groupId, ids, ids.map((m) => types.get(m))],
  );
}

/** The direct members of each of `groupIds` (one query for a whole page), with type and display name. */
export async function membersOf(
  sql: Sql,
  tenantId: string,
  groupIds: readonly string[],
): Promise<Map<string, GroupMember[]>> {
  const rows = await sql.rows<{
    group_id: string;
    member_id: string;
    member_type: "User" | "Group";
    display: string | null;
  }>(
    `SELECT m.group_id, m.member_id, m.member_type, coalesce(u.display_name, u.user_name, g.display_name) AS display
     FROM group_members m
     LEFT JOIN users u ON m.member_type = 'User' AND u.tenant_id = m.tenant_id AND u.id = m.member_id
     LEFT JOIN groups g ON m.member_type = 'Group' AND g.tenant_id = m.tenant_id AND g.id = m.member_id
     WHERE m.tenant_id = ? AND m.group_id = ANY(?::text[]) ORDER BY m.member_id`,
    [tenantId, groupIds],
  );
  const out = new Map<string, GroupMember[]>(groupIds.map((id) => [id, []]));
  for (const r of rows) {
    out.get(r.group_id)?.push({ value: r.member_id, type: r.member_type, display: r.display ?? undefined });
  }
  return out;
}
/** The direct groups of each of `userIds` (one query for a whole page), by display name. */
export async function userGroups(
  sql: Sql,
  tenantId: string,
  userIds: readonly string[],
): Promise<Map<string, UserGroupRef[]>> {
  const rows = await sql.rows<{
    member_id: string;
    id: string;
    display_name: string;
    external_id: string | null;
  }>(
    `SELECT m.member_id, g.id, g.display_name, g.external_id FROM group_members m
     JOIN groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
     WHERE m.tenant_id = ? AND m.member_id = ANY(?::text[]) ORDER BY g.display_name_lc, g.id`,
    [tenantId, userIds],
  );
  const out = new Map<string, UserGroupRef[]>(userIds.map((id) => [id, []]));
  for (const r of rows) {
    out.get(r.member_id)?.push({ value: r.id, display: r.display_name, externalId: r.external_id });
  }
  return out;
}
