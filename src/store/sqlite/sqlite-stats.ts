import type { SqliteDb } from "./sqlite-db.js";

/**
 * Planner statistics for a database that has none (sqlite_stat1 rows in SQLite's own format: rows, then
 * rows per distinct value of each index prefix), describing a typical directory: many tenants, a unique
 * userName, externalId and e-mail per user, a handful of groups per user. Without any statistics SQLite
 * guesses that walking (tenant_id, created) in ORDER BY order beats the one-row externalId or e-mail index
 * lookup plus a sort, and Entra's matching lookups become scans of the whole tenant. A real ANALYZE (or
 * PRAGMA optimize) replaces these rows with measured ones.
 */
const TYPICAL_STATS: readonly (readonly [table: string, index: string, stat: string])[] = [
  ["users", "users_key", "1000000 10000 1"],
  ["users", "users_user_name", "1000000 10000 1"],
  ["users", "users_external_id", "1000000 10000 1"],
  ["users", "users_created", "1000000 10000 1 1"],
  ["user_emails", "user_emails_value", "1000000 10000 1 1"],
  ["user_emails", "user_emails_user", "1000000 10000 1"],
  ["groups", "groups_key", "10000 100 1"],
  ["groups", "groups_display_name", "10000 100 1"],
  ["groups", "groups_external_id", "10000 100 1"],
  ["groups", "groups_created", "10000 100 1 1"],
  // Since migration 5: (group_pk, member_group, member_pk) and (member_group, member_pk).
  ["group_members", "group_members", "3000000 300 300 1"],
  ["group_members", "group_members_member", "3000000 1500000 3"],
];

/**
 * Writes TYPICAL_STATS for each table that has no statistics for its first listed index yet, and loads
 * them. Migrations 3 and 5 rebuilt users, groups and group_members, and dropping a table drops its rows
 * here, so their statistics are written again for the new layout.
 */
export async function ensurePlannerStats(sql: SqliteDb): Promise<void> {
  const db = sql.db;
  await sql.tx(() => {
    // ANALYZE of the tiny meta table creates sqlite_stat1 without reading any large table.
    db.exec("ANALYZE meta");
    const firstIndex = new Map<string, string>();
    for (const [tbl, idx] of TYPICAL_STATS) if (!firstIndex.has(tbl)) firstIndex.set(tbl, idx);
    const has = db.prepare("SELECT 1 FROM sqlite_stat1 WHERE tbl = ? AND idx = ?");
    const missing = [...firstIndex].filter(([tbl, idx]) => has.get(tbl, idx) === undefined).map(([t]) => t);
    if (missing.length === 0) return;
    const remove = db.prepare("DELETE FROM sqlite_stat1 WHERE tbl = ?");
    const insert = db.prepare("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)");
    for (const tbl of missing) {
      remove.run(tbl);
      for (const [t, idx, stat] of TYPICAL_STATS) if (t === tbl) insert.run(t, idx, stat);
    }
    // Makes this connection's planner read the rows just written.
    db.exec("ANALYZE sqlite_schema");
  });
}
