import { requireKnownMembers } from "../rows.js";
import type { SqliteDb } from "./sqlite-db.js";

/** Each added member id's type, one statement per table for the whole batch (Entra adds many per PATCH). */
export function memberTypes(
  sql: SqliteDb,
  tenantId: string,
  groupId: string,
  ids: readonly string[],
): Map<string, "User" | "Group"> {
  const types = new Map<string, "User" | "Group">();
  const find = (table: string, wanted: readonly string[], type: "User" | "Group") => {
    const q = `SELECT id FROM ${table} WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`;
    const rows = sql.stmt(q).all(tenantId, JSON.stringify(wanted)) as { id: string }[];
    for (const r of rows) if (!types.has(r.id)) types.set(r.id, type);
  };
  if (ids.length > 0) find("users", ids, "User");
  // A group is never its own member.
  const rest = ids.filter((id) => !types.has(id) && id !== groupId);
  if (rest.length > 0) find("groups", rest, "Group");
  return requireKnownMembers(ids, types);
}
