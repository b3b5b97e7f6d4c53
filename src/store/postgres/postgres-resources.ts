import { GROUP_RESOURCE, USER_RESOURCE } from "../../scim/schema-defs.js";
import type { MemberDelta, ScimDoc } from "../../scim/types.js";
import { applyDocChange, type DocChange } from "../doc-change.js";
import { auditAbout, checkVersion, indexedUserColumns, newResourceId, now, str, totalOf } from "../rows.js";
import { compileFilter, compileSortKey, type TableLayout } from "../sql-filter.js";
import {
  type AuditRecord,
  type ListPage,
  type ListQuery,
  type StoredGroup,
  type StoredResource,
  type StoredUser,
  StoreError,
  type UserGroupRef,
  type UserOrigin,
  type WriteOptions,
} from "../store.js";
import { groupLayout, userLayout } from "../table-layouts.js";
import type { PgDb, Sql } from "./postgres-db.js";
import { POSTGRES_DIALECT } from "./postgres-dialect.js";
import {
  applyMembers,
  lockGroupsOf,
  membersOf,
  removeAsMember,
  USER_GROUPS_SQL,
  userGroups,
} from "./postgres-members.js";
import { auditCte, insertAudit } from "./postgres-tenants.js";

interface ResourceRow {
  id: string;
  origin?: UserOrigin;
  doc: ScimDoc;
  version: number;
  created: string;
  last_modified: string;
  groups?: UserGroupRef[];
}

function toResource(row: ResourceRow): StoredResource & { origin?: UserOrigin; groups?: UserGroupRef[] } {
  return {
    id: row.id,
    ...(row.origin ? { origin: row.origin } : {}),
    ...(row.groups ? { groups: row.groups } : {}),
    doc: row.doc,
    version: row.version,
    created: row.created,
    lastModified: row.last_modified,
  };
}

const USER_COLUMNS = "id, origin, doc, version, created, last_modified";

/** Reads and conditional writes of one user write before it gives up on a user that keeps changing. */
const USER_WRITE_ATTEMPTS = 20;
const GROUP_COLUMNS = "id, doc, version, created, last_modified";

/** The user's indexed columns, derived from its document, in INSERT/UPDATE order. */
function userColumns(doc: ScimDoc): unknown[] {
  const c = indexedUserColumns(doc);
  return [c.userName, c.userNameLc, c.externalId, c.displayName, c.active];
}

/** The e-mail side table's rows of a document: types and values, lower-cased, as two parallel arrays. */
function emailRows(doc: ScimDoc): [string[], string[]] {
  const emails = Array.isArray(doc.emails) ? (doc.emails as Record<string, unknown>[]) : [];
  const rows = emails.filter((e) => typeof e?.value === "string");
  return [
    rows.map((e) => String(e.type ?? "").toLowerCase()),
    rows.map((e) => (e.value as string).toLowerCase()),
  ];
}

const INSERT_EMAILS = `INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc)
  SELECT ?, ?, t, v FROM unnest(?::text[], ?::text[]) AS x(t, v)`;

/**
 * Users and groups on PostgreSQL. Every write is one transaction. A group write first locks the row it
 * changes (`FOR NO KEY UPDATE`); a user write is one statement conditional on the version it read (see
 * `updateUser`). Either way concurrent PATCHes of one resource from any replica apply one after the other,
 * each on the latest committed version (and If-Match sees that version).
 */
export class PostgresResources {
  constructor(private readonly db: PgDb) {}

  async createUser(
    tenantId: string,
    doc: ScimDoc,
    audit: AuditRecord,
    origin: UserOrigin = "scim",
  ): Promise<StoredUser> {
    // One statement: the user, its e-mail rows and its audit row commit together, in one round trip.
    const id = newResourceId();
    const at = now();
    const a = auditCte(auditAbout(audit, id));
    const [types, values] = emailRows(doc);
    // Two replicas creating one userName: the unique index makes the second INSERT wait and fail (409).
    await this.db.statement((sql) =>
      sql.exec(
        `WITH ${a.sql}, emails AS (${INSERT_EMAILS})
         INSERT INTO users (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
           version, created, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, 1, ?, ?)`,
        [
          ...a.params,
          tenantId,
          id,
          types,
          values,
          tenantId,
          id,
          ...userColumns(doc),
          origin,
          JSON.stringify(doc),
          at,
          at,
        ],
      ),
    );
    return { id, doc, version: 1, created: at, lastModified: at, groups: [], origin };
  }

  async getUser(
    tenantId: string,
    id: string,
    opts: { groups?: boolean } = {},
  ): Promise<StoredUser | undefined> {
    const groups = opts.groups ? `, ${USER_GROUPS_SQL} AS groups` : "";
    const row = await this.db.read((sql) =>
      sql.one<ResourceRow>(
        `SELECT ${USER_COLUMNS}${groups} FROM users u WHERE u.tenant_id = ? AND u.id = ?`,
        [tenantId, id],
      ),
    );
    return row ? toResource(row) : undefined;
  }

  async listUsers(
    tenantId: string,
    q: ListQuery,
    opts: { groups?: boolean } = {},
  ): Promise<ListPage<StoredUser>> {
    return this.db.read(async (sql) => {
      // The first page (Entra's lookups) brings its groups in its own statement: one round trip. PostgreSQL
      // evaluates that sub-select for every row the LIMIT reads, skipped ones included, so a later page reads
      // the groups of its own rows in a second statement.
      const inline = opts.groups && q.startIndex === 1;
      const columns = inline ? `, u.origin, ${USER_GROUPS_SQL} AS groups` : ", u.origin";
      const page = await list(sql, "users", userLayout(tenantId), tenantId, q, columns);
      if (!opts.groups || inline) return page;
      const groups = await userGroups(
        sql,
        tenantId,
        page.resources.map((r) => r.id),
      );
      return { ...page, resources: page.resources.map((r) => ({ ...r, groups: groups.get(r.id) ?? [] })) };
    });
  }

  /**
   * A user write without an explicit transaction: the user is read, the change applied to what was read,
   * and one statement writes the row, its audit row and (when they changed) its e-mail rows, on condition
   * that the row is still at the version read. If another write got in between, the change is applied
   * again to what that write left (a DocChange is data), up to USER_WRITE_ATTEMPTS times. Two round trips
   * instead of four (BEGIN, a locking read, the write, COMMIT); concurrent writes of one user still apply
   * one after the other, each to the latest committed version, and If-Match is checked against it.
   */
  async updateUser(
    tenantId: string,
    id: string,
    change: DocChange,
    opts: WriteOptions,
    audit: AuditRecord,
  ): Promise<StoredUser> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.db.read((sql) =>
        sql.one<ResourceRow>(`SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = ? AND id = ?`, [
          tenantId,
          id,
        ]),
      );
      if (!row) throw new StoreError("not_found", `User ${JSON.stringify(id)} not found`);
      const current = toResource(row);
      checkVersion("User", id, current.version, opts);
      const doc = applyDocChange(USER_RESOURCE, change, current.doc);
      const at = now();
      const version = current.version + 1;
      const a = auditCte(auditAbout(audit, id), "upd");
      // Most PATCHes (title, active, manager) leave the e-mail side table as it is. Its rows carry no unique
      // key, so the old ones can go and the new ones come in the same statement.
      const emails =
        JSON.stringify(current.doc.emails) !== JSON.stringify(doc.emails) ? emailRows(doc) : undefined;
      const emailItems =
        emails === undefined
          ? ""
          : `, old_emails AS (DELETE FROM user_emails WHERE tenant_id = ? AND user_id = (SELECT id FROM upd)),
             new_emails AS (INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc)
               SELECT ?, upd.id, t, v FROM upd, unnest(?::text[], ?::text[]) AS x(t, v))`;
      // The groups come back with the write, so the PATCH response needs no second read (Entra compares it).
      const written = await this.db.statement((sql) =>
        sql.one<{ groups: UserGroupRef[] }>(
          `WITH upd AS (UPDATE users u SET user_name = ?, user_name_lc = ?, external_id = ?, display_name = ?,
               active = ?, doc = ?::jsonb, version = ?, last_modified = ?, origin = 'scim'
             WHERE u.tenant_id = ? AND u.id = ? AND u.version = ? RETURNING u.id, ${USER_GROUPS_SQL} AS groups),
           ${a.sql}${emailItems}
           SELECT groups FROM upd`,
          [
            ...userColumns(doc),
            JSON.stringify(doc),
            version,
            at,
            tenantId,
            id,
            current.version,
            ...a.params,
            ...(emails === undefined ? [] : [tenantId, tenantId, ...emails]),
          ],
        ),
      );
      if (written)
        return { id, doc, version, created: current.created, lastModified: at, groups: written.groups };
      if (attempt >= USER_WRITE_ATTEMPTS) {
        throw new StoreError(
          "unavailable",
          `User ${JSON.stringify(id)} kept changing while this write was applied`,
        );
      }
    }
  }

  async deleteUser(tenantId: string, id: string, opts: WriteOptions, audit: AuditRecord): Promise<void> {
    await this.db.tx(async (sql) => {
      await lockGroupsOf(sql, tenantId, id);
      const current = await lockRow(sql, "users", USER_COLUMNS, tenantId, id, "FOR UPDATE");
      checkVersion("User", id, current.version, opts);
      await removeAsMember(sql, tenantId, id);
      await sql.exec("DELETE FROM users WHERE tenant_id = ? AND id = ?", [tenantId, id]);
      await insertAudit(sql, auditAbout(audit, id));
    });
  }

  async createGroup(
    tenantId: string,
    doc: ScimDoc,
    members: readonly string[],
    audit: AuditRecord,
  ): Promise<StoredGroup> {
    const id = newResourceId();
    const at = now();
    const name = String(doc.displayName ?? "");
    const a = auditCte(auditAbout(audit, id));
    const insert = (sql: Sql) =>
      sql.exec(
        `WITH ${a.sql} INSERT INTO groups (tenant_id, id, display_name, display_name_lc, external_id, doc, version,
           created, last_modified) VALUES (?, ?, ?, ?, ?, ?::jsonb, 1, ?, ?)`,
        [
          ...a.params,
          tenantId,
          id,
          name,
          name.toLowerCase(),
          str(doc.externalId),
          JSON.stringify(doc),
          at,
          at,
        ],
      );
    const created = { id, doc, version: 1, created: at, lastModified: at };
    // Entra creates its groups empty and adds members by PATCH: then the group and its audit row are one
    // statement, in one round trip.
    if (members.length === 0) {
      await this.db.statement(insert);
      return { ...created, members: [] };
    }
    return this.db.tx(async (sql) => {
      await insert(sql);
      await applyMembers(sql, tenantId, id, { clear: false, add: members, remove: [] });
      return { ...created, members: (await membersOf(sql, tenantId, [id])).get(id) ?? [] };
    });
  }

  async getGroup(
    tenantId: string,
    id: string,
    opts: { members?: boolean } = {},
  ): Promise<StoredGroup | undefined> {
    const run = async (sql: Sql) => {
      const row = await sql.one<ResourceRow>(
        `SELECT ${GROUP_COLUMNS} FROM groups WHERE tenant_id = ? AND id = ?`,
        [tenantId, id],
      );
      if (!row) return undefined;
      const g = toResource(row);
      return opts.members ? { ...g, members: (await membersOf(sql, tenantId, [id])).get(id) ?? [] } : g;
    };
    return this.db.read(run);
  }

  async listGroups(
    tenantId: string,
    q: ListQuery,
    opts: { members?: boolean } = {},
  ): Promise<ListPage<StoredGroup>> {
    return this.db.read(async (sql) => {
      const page = await list(sql, "groups", groupLayout(tenantId), tenantId, q);
      if (!opts.members) return page;
      const members = await membersOf(
        sql,
        tenantId,
        page.resources.map((g) => g.id),
      );
      return { ...page, resources: page.resources.map((g) => ({ ...g, members: members.get(g.id) ?? [] })) };
    });
  }

  async updateGroup(
    tenantId: string,
    id: string,
    change: DocChange,
    members: MemberDelta | undefined,
    opts: WriteOptions,
    audit: AuditRecord,
  ): Promise<StoredGroup> {
    return this.db.tx(async (sql) => {
      // The group row lock serialises concurrent PATCHes of this group across replicas.
      const current = await lockRow(sql, "groups", GROUP_COLUMNS, tenantId, id, "FOR NO KEY UPDATE");
      checkVersion("Group", id, current.version, opts);
      const doc = applyDocChange(GROUP_RESOURCE, change, current.doc);
      const name = String(doc.displayName ?? "");
      const at = now();
      const version = current.version + 1;
      const a = auditCte(auditAbout(audit, id));
      await sql.exec(
        `WITH ${a.sql} UPDATE groups SET display_name = ?, display_name_lc = ?, external_id = ?, doc = ?::jsonb,
           version = ?, last_modified = ? WHERE tenant_id = ? AND id = ?`,
        [
          ...a.params,
          name,
          name.toLowerCase(),
          str(doc.externalId),
          JSON.stringify(doc),
          version,
          at,
          tenantId,
          id,
        ],
      );
      if (members) await applyMembers(sql, tenantId, id, members);
      return { id, doc, version, created: current.created, lastModified: at };
    });
  }

  async deleteGroup(tenantId: string, id: string, opts: WriteOptions, audit: AuditRecord): Promise<void> {
    await this.db.tx(async (sql) => {
      await lockGroupsOf(sql, tenantId, id);
      const current = await lockRow(sql, "groups", GROUP_COLUMNS, tenantId, id, "FOR UPDATE");
      checkVersion("Group", id, current.version, opts);
      await removeAsMember(sql, tenantId, id);
      await sql.exec("DELETE FROM groups WHERE tenant_id = ? AND id = ?", [tenantId, id]);
      await insertAudit(sql, auditAbout(audit, id));
    });
  }
}

async function lockRow(
  sql: Sql,
  table: "users" | "groups",
  columns: string,
  tenantId: string,
  id: string,
  lock: "FOR UPDATE" | "FOR NO KEY UPDATE",
): Promise<StoredResource> {
  const row = await sql.one<ResourceRow>(
    `SELECT ${columns} FROM ${table} WHERE tenant_id = ? AND id = ? ${lock}`,
    [tenantId, id],
  );
  const kind = table === "users" ? "User" : "Group";
  if (!row) throw new StoreError("not_found", `${kind} ${JSON.stringify(id)} not found`);
  return toResource(row);
}

/**
 * One page, and its total from the page when it can tell (Entra's lookups: one statement), else from a
 * count. No count(*) OVER (): it makes PostgreSQL build every matching row, doc included, before LIMIT.
 */
async function list(
  sql: Sql,
  table: string,
  layout: TableLayout,
  tenantId: string,
  q: ListQuery,
  extraColumns = "",
): Promise<ListPage<StoredResource>> {
  const d = POSTGRES_DIALECT;
  const where = q.filter ? compileFilter(q.filter, layout, d) : { sql: d.trueSql, params: [] };
  const sort = q.sortBy ? compileSortKey(q.sortBy, layout, d) : undefined;
  const a = layout.alias;
  const dir = q.sortOrder === "descending" ? "DESC" : "ASC";
  // RFC 7644 §3.4.2.3: resources without the sortBy value come last when ascending, first when descending.
  const nulls = dir === "ASC" ? "NULLS LAST" : "NULLS FIRST";
  const order = sort ? `${sort.sql} ${dir} ${nulls}, ${a}.id` : `${a}.created, ${a}.id`;
  const base = `FROM ${table} ${a} WHERE ${a}.tenant_id = ? AND ${where.sql}`;
  const params = [tenantId, ...where.params];
  const rows = await sql.rows<ResourceRow>(
    `SELECT ${a}.id, ${a}.doc, ${a}.version, ${a}.created, ${a}.last_modified${extraColumns}
       ${base} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...params, ...(sort?.params ?? []), q.count, q.startIndex - 1],
  );
  const total =
    totalOf(q, rows.length) ??
    Number((await sql.one<{ n: string }>(`SELECT count(*) AS n ${base}`, params))?.n ?? 0);
  return { totalResults: total, resources: rows.map(toResource) };
}
