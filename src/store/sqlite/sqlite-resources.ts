import { GROUP_RESOURCE, USER_RESOURCE } from "../../scim/schema-defs.js";
import type { MemberDelta, ScimDoc } from "../../scim/types.js";
import { applyDocChange, type DocChange } from "../doc-change.js";
import { auditAbout, checkVersion, indexedUserColumns, newResourceId, now, str, totalOf } from "../rows.js";
import type { TableLayout } from "../sql-filter.js";
import {
  type AuditRecord,
  type GroupMember,
  type ListPage,
  type ListQuery,
  type StoredGroup,
  type StoredUser,
  StoreError,
  type UserOrigin,
  type WriteOptions,
} from "../store.js";
import { groupLayout, SQLITE_MEMBERSHIP, userLayout } from "../table-layouts.js";
import type { SqliteDb } from "./sqlite-db.js";
import { buildListSql } from "./sqlite-list.js";
import { knownMemberKeys, type MemberKey, memberGroupFlag, memberKeys } from "./sqlite-members.js";
import { GROUPS_JSON, groupsJson, type ResourceRow, toResource, withRawDoc } from "./sqlite-rows.js";
import { insertAudit } from "./sqlite-tenants.js";

// The list SQL moved to sqlite-list.ts; re-exported for the query-plan tests.
export { buildListSql } from "./sqlite-list.js";

/** One user by id, without and with its groups (`u`: see GROUPS_JSON); built once, the statement cache's keys. */
const USER_SQL = `SELECT u.id, u.origin, u.doc, u.version, u.created, u.last_modified FROM users u
  WHERE u.tenant_id = ? AND u.id = ?`;
const USER_WITH_GROUPS_SQL = `SELECT u.id, u.origin, u.doc, u.version, u.created, u.last_modified,
  ${GROUPS_JSON} AS groups_json FROM users u WHERE u.tenant_id = ? AND u.id = ?`;
/** What an update reads of the user it changes: the row, its audit chain's head and its groups. */
const USER_FOR_WRITE_SQL = `SELECT u.id, u.origin, u.doc, u.version, u.created, u.last_modified, u.audit_head,
  ${GROUPS_JSON} AS groups_json FROM users u WHERE u.tenant_id = ? AND u.id = ?`;

/**
 * The page and count queries of a user list on SQLite. Groups are read for the page's rows only: the page
 * is a LIMITed subquery (a co-routine SQLite scans in its ORDER BY order), so a filter matching many rows
 * never computes their groups.
 */
export function userListSql(tenantId: string, q: ListQuery, groups: boolean) {
  const page = buildListSql(
    "users",
    userLayout(tenantId, SQLITE_MEMBERSHIP),
    tenantId,
    q,
    ", u.origin, u.pk",
  );
  if (!groups) return page;
  // Not `{ ...page, page }`: every lookup builds this (see auditAbout in rows.ts on object spread).
  return {
    page: {
      sql: `SELECT p.*, ${groupsJson("p.pk")} AS groups_json FROM (${page.page.sql}) p`,
      params: page.page.params,
    },
    count: page.count,
  };
}

/** The user's indexed columns, derived from its document (SQLite stores booleans as 0/1). */
function userColumns(doc: ScimDoc) {
  const c = indexedUserColumns(doc);
  // Field by field, not `{ ...c, active }`: see auditAbout (rows.ts) on object spread.
  return {
    userName: c.userName,
    userNameLc: c.userNameLc,
    externalId: c.externalId,
    displayName: c.displayName,
    active: c.active === null ? null : c.active ? 1 : 0,
  };
}

/** Users and groups on SQLite; every write is one atomic savepoint, audit row included, in a group commit (SqliteDb). */
export class SqliteResources {
  constructor(private readonly sql: SqliteDb) {}

  /** Writes the user's e-mail rows; `created`: the user is new, so it has none to delete yet. */
  private writeEmails(tenantId: string, userId: string, doc: ScimDoc, created = false): void {
    if (!created)
      this.sql.stmt("DELETE FROM user_emails WHERE tenant_id = ? AND user_id = ?").run(tenantId, userId);
    const emails = Array.isArray(doc.emails) ? (doc.emails as Record<string, unknown>[]) : [];
    const insert = this.sql.stmt(
      "INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc) VALUES (?, ?, ?, ?)",
    );
    for (const e of emails) {
      if (typeof e.value !== "string") continue;
      insert.run(tenantId, userId, String(e.type ?? "").toLowerCase(), e.value.toLowerCase());
    }
  }

  async createUser(
    tenantId: string,
    doc: ScimDoc,
    audit: AuditRecord,
    origin: UserOrigin = "scim",
  ): Promise<StoredUser> {
    return this.sql.tx(() => {
      const id = newResourceId();
      const at = now();
      const c = userColumns(doc);
      const json = JSON.stringify(doc);
      this.sql
        .stmt(
          `INSERT INTO users (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
             version, created, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        )
        .run(
          tenantId,
          id,
          c.userName,
          c.userNameLc,
          c.externalId,
          c.displayName,
          c.active,
          origin,
          json,
          at,
          at,
        );
      this.writeEmails(tenantId, id, doc, true);
      insertAudit(this.sql, auditAbout(audit, id));
      // The response splices the JSON text just stored instead of serialising the document again.
      return withRawDoc({ id, doc, version: 1, created: at, lastModified: at, groups: [], origin }, json);
    }, tenantId);
  }

  async getUser(
    tenantId: string,
    id: string,
    opts: { groups?: boolean } = {},
  ): Promise<StoredUser | undefined> {
    return this.sql.read(() => {
      const row = this.sql.stmt(opts.groups ? USER_WITH_GROUPS_SQL : USER_SQL).get(tenantId, id) as
        | ResourceRow
        | undefined;
      return row ? toResource(row) : undefined;
    }, tenantId);
  }

  async listUsers(
    tenantId: string,
    q: ListQuery,
    opts: { groups?: boolean } = {},
  ): Promise<ListPage<StoredUser>> {
    const page = userListSql(tenantId, q, opts.groups ?? false);
    const { sql, params } = page.page;
    return this.sql.read(() => {
      const rows = this.sql.stmt(sql).all(...params) as ResourceRow[];
      const total = totalOf(q, rows.length) ?? this.count(page.count.sql, page.count.params);
      return { totalResults: total, resources: rows.map((r) => toResource(r)) };
    }, tenantId);
  }

  private list(
    table: string,
    layout: TableLayout,
    tenantId: string,
    q: ListQuery,
    extraColumns = "",
    membersOf?: (row: ResourceRow) => readonly GroupMember[],
  ): ListPage<StoredGroup> {
    const sql = buildListSql(table, layout, tenantId, q, extraColumns);
    const rows = this.sql.stmt(sql.page.sql).all(...sql.page.params) as ResourceRow[];
    const total = totalOf(q, rows.length) ?? this.count(sql.count.sql, sql.count.params);
    return { totalResults: total, resources: rows.map((r) => toResource(r, membersOf?.(r))) };
  }

  private count(sql: string, params: readonly unknown[]): number {
    return (this.sql.stmt(sql).get(...params) as { n: number }).n;
  }

  async updateUser(
    tenantId: string,
    id: string,
    change: DocChange,
    opts: WriteOptions,
    audit: AuditRecord,
  ): Promise<StoredUser> {
    return this.sql.tx(() => {
      // A user's own write never changes its groups: they are read with the user, in one statement.
      const row = this.userRowForWrite(tenantId, id);
      const current = toResource(row);
      checkVersion("User", id, current.version, opts);
      const doc = applyDocChange(USER_RESOURCE, change, current.doc);
      const at = now();
      const version = current.version + 1;
      // The audit row joins the user's chain; the user row, rewritten anyway, keeps the chain's head.
      const head = insertAudit(this.sql, auditAbout(audit, id), { prev: row.audit_head, chained: true });
      const json = this.writeUser(tenantId, id, current.doc, doc, version, at, head);
      // Most PATCHes (title, active, manager) leave the e-mail side table as it is.
      if (JSON.stringify(current.doc.emails) !== JSON.stringify(doc.emails))
        this.writeEmails(tenantId, id, doc);
      // The groups come with the result, so the route need not read the user back for its response.
      const { groups } = current;
      return withRawDoc({ id, doc, version, created: current.created, lastModified: at, groups }, json);
    }, tenantId);
  }

  /**
   * Rewrites a user row; the indexed userName and externalId columns only when they changed. Returns the
   * document's JSON text as stored.
   */
  private writeUser(
    tenantId: string,
    id: string,
    before: ScimDoc,
    doc: ScimDoc,
    version: number,
    at: string,
    auditHead: number,
  ): string {
    const c = userColumns(doc);
    const json = JSON.stringify(doc);
    // SQLite rewrites the entries of every index whose columns appear in SET, changed or not; Entra's
    // PATCHes (title, active, manager) rarely touch the indexed columns.
    if (doc.userName === before.userName && doc.externalId === before.externalId) {
      this.sql
        .stmt(
          `UPDATE users SET display_name = ?, active = ?, doc = ?, version = ?, last_modified = ?, origin = 'scim',
             audit_head = ? WHERE tenant_id = ? AND id = ?`,
        )
        .run(c.displayName, c.active, json, version, at, auditHead, tenantId, id);
      return json;
    }
    this.sql
      .stmt(
        `UPDATE users SET user_name = ?, user_name_lc = ?, external_id = ?, display_name = ?, active = ?, doc = ?,
           version = ?, last_modified = ?, origin = 'scim', audit_head = ? WHERE tenant_id = ? AND id = ?`,
      )
      .run(
        c.userName,
        c.userNameLc,
        c.externalId,
        c.displayName,
        c.active,
        json,
        version,
        at,
        auditHead,
        tenantId,
        id,
      );
    return json;
  }

  /** The row of a user an update changes (see USER_FOR_WRITE_SQL), inside the update's transaction. */
  private userRowForWrite(tenantId: string, id: string): ResourceRow {
    const row = this.sql.stmt(USER_FOR_WRITE_SQL).get(tenantId, id) as ResourceRow | undefined;
    if (!row) throw new StoreError("not_found", `User ${JSON.stringify(id)} not found`);
    return row;
  }

  async deleteUser(tenantId: string, id: string, opts: WriteOptions, audit: AuditRecord): Promise<void> {
    await this.sql.tx(() => {
      const row = this.sql
        .stmt("SELECT pk, version, audit_head FROM users WHERE tenant_id = ? AND id = ?")
        .get(tenantId, id) as { pk: number; version: number; audit_head: number | null } | undefined;
      if (!row) throw new StoreError("not_found", `User ${JSON.stringify(id)} not found`);
      checkVersion("User", id, row.version, opts);
      this.removeAsMember({ type: "User", pk: row.pk });
      this.sql.stmt("DELETE FROM users WHERE tenant_id = ? AND id = ?").run(tenantId, id);
      // Indexed, and holding the chain's head that goes with the user's row.
      insertAudit(this.sql, auditAbout(audit, id), { prev: row.audit_head });
    }, tenantId);
  }

  /** Drops every membership of a user or group, bumping the version of each group it leaves. */
  private removeAsMember(member: MemberKey): void {
    const flag = memberGroupFlag(member.type);
    this.sql
      .stmt(
        `UPDATE groups SET version = version + 1, last_modified = ? WHERE pk IN
           (SELECT group_pk FROM group_members WHERE member_group = ? AND member_pk = ?)`,
      )
      .run(now(), flag, member.pk);
    this.sql.stmt("DELETE FROM group_members WHERE member_group = ? AND member_pk = ?").run(flag, member.pk);
  }

  async createGroup(
    tenantId: string,
    doc: ScimDoc,
    members: readonly string[],
    audit: AuditRecord,
  ): Promise<StoredGroup> {
    return this.sql.tx(() => {
      const id = newResourceId();
      const at = now();
      const name = String(doc.displayName ?? "");
      const { lastInsertRowid } = this.sql
        .stmt(
          `INSERT INTO groups (tenant_id, id, display_name, display_name_lc, external_id, doc, version, created,
             last_modified) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        )
        .run(tenantId, id, name, name.toLowerCase(), str(doc.externalId), JSON.stringify(doc), at, at);
      const pk = Number(lastInsertRowid);
      this.applyMembers(tenantId, { id, pk }, { clear: false, add: members, remove: [] });
      insertAudit(this.sql, auditAbout(audit, id));
      return { id, doc, version: 1, created: at, lastModified: at, members: this.membersOf(pk) };
    }, tenantId);
  }

  /** Applies a member delta in O(delta): never reads or rewrites the rest of the member list. */
  private applyMembers(tenantId: string, group: { id: string; pk: number }, delta: MemberDelta): void {
    if (delta.clear) this.sql.stmt("DELETE FROM group_members WHERE group_pk = ?").run(group.pk);
    if (delta.remove.length > 0) {
      const del = this.sql.stmt(
        "DELETE FROM group_members WHERE group_pk = ? AND member_group = ? AND member_pk = ?",
      );
      // An id that is no user or group of the tenant is no member: removing it changes nothing.
      for (const k of memberKeys(this.sql, tenantId, group.id, delta.remove).values())
        del.run(group.pk, memberGroupFlag(k.type), k.pk);
    }
    if (delta.add.length > 0) {
      const add = this.sql.stmt(
        "INSERT OR IGNORE INTO group_members (group_pk, member_group, member_pk) VALUES (?, ?, ?)",
      );
      const keys = knownMemberKeys(this.sql, tenantId, group.id, delta.add);
      for (const m of delta.add) {
        const k = keys.get(m)!;
        add.run(group.pk, memberGroupFlag(k.type), k.pk);
      }
    }
  }

  private membersOf(groupPk: number): GroupMember[] {
    const rows = this.sql
      .stmt(
        `SELECT coalesce(u.id, g.id) AS id, m.member_group,
           coalesce(u.display_name, u.user_name, g.display_name) AS display
         FROM group_members m
         LEFT JOIN users u ON m.member_group = 0 AND u.pk = m.member_pk
         LEFT JOIN groups g ON m.member_group = 1 AND g.pk = m.member_pk
         WHERE m.group_pk = ?`,
      )
      .all(groupPk) as { id: string; member_group: 0 | 1; display: string | null }[];
    return rows.map((r) => ({
      value: r.id,
      type: r.member_group === 1 ? "Group" : "User",
      display: r.display ?? undefined,
    }));
  }

  async getGroup(
    tenantId: string,
    id: string,
    opts: { members?: boolean } = {},
  ): Promise<StoredGroup | undefined> {
    return this.sql.read(() => {
      const row = this.sql
        .stmt(
          "SELECT id, pk, doc, version, created, last_modified FROM groups WHERE tenant_id = ? AND id = ?",
        )
        .get(tenantId, id) as ResourceRow | undefined;
      if (!row) return undefined;
      return toResource(row, opts.members ? this.membersOf(row.pk!) : undefined);
    }, tenantId);
  }

  async listGroups(
    tenantId: string,
    q: ListQuery,
    opts: { members?: boolean } = {},
  ): Promise<ListPage<StoredGroup>> {
    return this.sql.read(() => {
      const members = opts.members ? (row: ResourceRow) => this.membersOf(row.pk!) : undefined;
      return this.list("groups", groupLayout(tenantId, SQLITE_MEMBERSHIP), tenantId, q, ", g.pk", members);
    }, tenantId);
  }

  async updateGroup(
    tenantId: string,
    id: string,
    change: DocChange,
    members: MemberDelta | undefined,
    opts: WriteOptions,
    audit: AuditRecord,
  ): Promise<StoredGroup> {
    return this.sql.tx(() => {
      const row = this.sql
        .stmt(
          "SELECT id, pk, doc, version, created, last_modified, audit_head FROM groups WHERE tenant_id = ? AND id = ?",
        )
        .get(tenantId, id) as ResourceRow | undefined;
      if (!row) throw new StoreError("not_found", `Group ${JSON.stringify(id)} not found`);
      const current = toResource(row);
      checkVersion("Group", id, current.version, opts);
      const doc = applyDocChange(GROUP_RESOURCE, change, current.doc);
      const at = now();
      const version = current.version + 1;
      // The audit row joins the group's chain; the group row, rewritten anyway, keeps the chain's head.
      const head = insertAudit(this.sql, auditAbout(audit, id), { prev: row.audit_head, chained: true });
      // A members-only PATCH (Entra's usual group PATCH) returns the doc untouched: bump the version
      // without rewriting the doc or the name and externalId index entries.
      if (doc === current.doc) this.touchGroup(tenantId, id, version, at, head);
      else this.writeGroup(tenantId, id, doc, version, at, head);
      if (members) this.applyMembers(tenantId, { id, pk: row.pk! }, members);
      return { id, doc, version, created: current.created, lastModified: at };
    }, tenantId);
  }

  private touchGroup(tenantId: string, id: string, version: number, at: string, auditHead: number): void {
    this.sql
      .stmt("UPDATE groups SET version = ?, last_modified = ?, audit_head = ? WHERE tenant_id = ? AND id = ?")
      .run(version, at, auditHead, tenantId, id);
  }

  private writeGroup(
    tenantId: string,
    id: string,
    doc: ScimDoc,
    version: number,
    at: string,
    auditHead: number,
  ): void {
    const name = String(doc.displayName ?? "");
    const json = JSON.stringify(doc);
    this.sql
      .stmt(
        `UPDATE groups SET display_name = ?, display_name_lc = ?, external_id = ?, doc = ?, version = ?,
           last_modified = ?, audit_head = ? WHERE tenant_id = ? AND id = ?`,
      )
      .run(name, name.toLowerCase(), str(doc.externalId), json, version, at, auditHead, tenantId, id);
  }

  async deleteGroup(tenantId: string, id: string, opts: WriteOptions, audit: AuditRecord): Promise<void> {
    await this.sql.tx(() => {
      const row = this.sql
        .stmt("SELECT pk, version, audit_head FROM groups WHERE tenant_id = ? AND id = ?")
        .get(tenantId, id) as { pk: number; version: number; audit_head: number | null } | undefined;
      if (!row) throw new StoreError("not_found", `Group ${JSON.stringify(id)} not found`);
      checkVersion("Group", id, row.version, opts);
      // Its own members go with its row (ON DELETE CASCADE); its memberships in other groups here.
      this.removeAsMember({ type: "Group", pk: row.pk });
      this.sql.stmt("DELETE FROM groups WHERE tenant_id = ? AND id = ?").run(tenantId, id);
      // Indexed, and holding the chain's head that goes with the group's row.
      insertAudit(this.sql, auditAbout(audit, id), { prev: row.audit_head });
    }, tenantId);
  }
}
