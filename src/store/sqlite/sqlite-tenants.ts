import { randomUUID } from "node:crypto";
import {
  type AuditRow,
  auditAbout,
  auditTypesCte,
  auditValues,
  buildAuditQuery,
  type KeyRow,
  type TenantRow,
  toAudit,
  toKey,
  toTenant,
} from "../rows.js";
import {
  type AccessKey,
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  type KeyKind,
  type RoleConfig,
  StoreError,
  type Tenant,
} from "../store.js";
import type { SqliteDb } from "./sqlite-db.js";

/**
 * How an audit row joins its resource's chain (migration 4): `chained` rows (successful updates of a user
 * or group) are left out of the audit-by-resource index and found from `audit_head` of the resource's row
 * through `prev`; `prev` on an indexed row (a deletion) keeps the chain reachable once the row is gone.
 */
export interface AuditLink {
  readonly prev?: number | null;
  readonly chained?: boolean;
}

/** Writes one audit row (inside the caller's transaction when there is one); returns its id. */
export function insertAudit(sql: SqliteDb, a: AuditRecord, link: AuditLink = {}): number {
  const info = sql
    .stmt(
      `INSERT INTO audit (at, tenant_id, key_id, request_id, operation, resource_type, resource_id, outcome, summary,
         prev, chained)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(...auditValues(a), link.prev ?? null, link.chained ? 1 : 0);
  return Number(info.lastInsertRowid);
}

/** The resource types among a tenant's indexed audit rows (the partial index holds `chained = 0` only). */
const INDEXED_TYPES_CTE = auditTypesCte("chained = 0");

/** One condition of a query and its parameters. */
type Cond = readonly [sql: string, params: readonly unknown[]];

const condSql = (cs: readonly Cond[]) => cs.map(([c]) => c).join(" AND ");
const condParams = (cs: readonly Cond[]) => cs.flatMap(([, p]) => p);

/**
 * The audit rows about one resource, oldest first: the indexed ones (`chained = 0`, through the partial
 * audit-by-resource index) and its chain of update rows (see AuditLink), walked through `prev` from the
 * head kept in the live user or group row and from the `prev` of its indexed rows (a deletion's keeps the
 * head of a deleted resource). The walk stops below the cursor: `prev` always points to an older row.
 *
 * Without a resource type the index, keyed by tenant, type and resource, is still used: the types the
 * tenant's indexed rows have are listed first (INDEXED_TYPES_CTE), and the rows are looked up under each.
 * The chain's rows are the resource's by construction and need no type.
 */
export function resourceAuditQuery(q: AuditQuery, resourceId: string): { sql: string; params: unknown[] } {
  const tenant: Cond[] = q.tenantId !== undefined ? [["audit.tenant_id = ?", [q.tenantId]]] : [];
  const resource: Cond = ["audit.resource_id = ?", [resourceId]];
  const listTypes = q.resourceType === undefined && q.tenantId !== undefined;
  const type: Cond[] =
    q.resourceType !== undefined
      ? [["audit.resource_type = ?", [q.resourceType]]]
      : listTypes
        ? [["audit.resource_type IN (SELECT rt FROM types WHERE rt IS NOT NULL)", []]]
        : [];
  const typeOfChain: Cond[] = q.resourceType !== undefined ? type : [];
  const when: Cond[] = [];
  if (q.since !== undefined) when.push(["audit.at >= ?", [q.since]]);
  if (q.until !== undefined) when.push(["audit.at < ?", [q.until]]);
  if (q.cursor !== undefined) when.push(["audit.id > ?", [q.cursor]]);
  const indexed = [...tenant, ...type, resource];
  const chained = [...tenant, ...typeOfChain, resource];
  const starts = [
    `SELECT audit.prev FROM audit WHERE ${condSql(indexed)} AND audit.chained = 0 AND audit.prev IS NOT NULL`,
  ];
  const startParams = condParams(indexed);
  for (const [table, t] of [
    ["users", "User"],
    ["groups", "Group"],
  ] as const) {
    if (q.resourceType !== undefined && q.resourceType !== t) continue;
    const inTenant = q.tenantId !== undefined ? "tenant_id = ? AND " : "";
    starts.push(`SELECT audit_head FROM ${table} WHERE ${inTenant}id = ? AND audit_head IS NOT NULL`);
    startParams.push(...(q.tenantId !== undefined ? [q.tenantId] : []), resourceId);
  }
  const below = q.cursor !== undefined ? " AND a.prev > ?" : "";
  // `ORDER BY +id`: the union's rows are sorted as a whole. With a bare `id` SQLite pushes the order into
  // the union's arms and, without a type, reads the tenant's trail in id order (audit_tenant) to spare
  // itself sorting a handful of rows.
  const sql = `WITH RECURSIVE ${listTypes ? `${INDEXED_TYPES_CTE},` : ""} chain(id) AS (
      ${starts.join(" UNION ")}
      UNION SELECT a.prev FROM audit a JOIN chain c ON a.id = c.id WHERE a.prev IS NOT NULL${below})
    SELECT * FROM (
      SELECT audit.* FROM audit WHERE ${condSql([...indexed, ...when])} AND audit.chained = 0
      UNION ALL
      SELECT audit.* FROM chain CROSS JOIN audit ON audit.id = chain.id
        WHERE ${condSql([...chained, ...when])} AND audit.chained = 1
    ) ORDER BY +id LIMIT ?`;
  const params = [
    ...(listTypes ? [q.tenantId, q.tenantId] : []),
    ...startParams,
    ...(q.cursor !== undefined ? [q.cursor] : []),
    ...condParams([...indexed, ...when]),
    ...condParams([...chained, ...when]),
    q.limit,
  ];
  return { sql, params };
}

/** Tenants, keys, deployment meta and the audit trail on SQLite. */
export class SqliteTenants {
  constructor(private readonly sql: SqliteDb) {}

  async getOrInitMeta(key: string, value: string): Promise<string> {
    return this.sql.tx(() => {
      this.sql.stmt("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)").run(key, value);
      return (this.sql.stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string }).value;
    });
  }

  async createTenant(input: { name: string; jit?: boolean }, audit: AuditRecord): Promise<Tenant> {
    return this.sql.tx(() => {
      const at = new Date().toISOString();
      const row: TenantRow = {
        id: randomUUID(),
        name: input.name,
        jit: input.jit ? 1 : 0,
        created_at: at,
        updated_at: at,
      };
      this.sql
        .stmt("INSERT INTO tenants (id, name, jit, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .run(row.id, row.name, row.jit, at, at);
      insertAudit(this.sql, auditAbout(audit, row.id, row.id));
      return toTenant(row);
    });
  }

  private tenantSync(id: string): Tenant | undefined {
    const row = this.sql.stmt("SELECT * FROM tenants WHERE id = ?").get(id) as TenantRow | undefined;
    return row ? toTenant(row) : undefined;
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    return this.sql.read(() => this.tenantSync(id));
  }

  async listTenants(): Promise<readonly Tenant[]> {
    return this.sql.read(() =>
      (this.sql.stmt("SELECT * FROM tenants ORDER BY name").all() as TenantRow[]).map(toTenant),
    );
  }

  async updateTenant(
    id: string,
    patch: { name?: string; jit?: boolean },
    audit: AuditRecord,
  ): Promise<Tenant> {
    return this.sql.tx(() => {
      const t = this.tenantSync(id);
      if (!t) throw new StoreError("not_found", `tenant ${JSON.stringify(id)} not found`);
      const name = patch.name ?? t.name;
      const jit = patch.jit ?? t.jit;
      const at = new Date().toISOString();
      this.sql
        .stmt("UPDATE tenants SET name = ?, jit = ?, updated_at = ? WHERE id = ?")
        .run(name, jit ? 1 : 0, at, id);
      insertAudit(this.sql, auditAbout(audit, id, id));
      return { ...t, name, jit, updatedAt: at };
    });
  }

  async deleteTenant(id: string, audit: AuditRecord): Promise<void> {
    await this.sql.tx(() => {
      // Memberships and e-mail rows reference users/groups, which cascade from the tenant row.
      this.sql
        .stmt("DELETE FROM group_members WHERE group_pk IN (SELECT pk FROM groups WHERE tenant_id = ?)")
        .run(id);
      const r = this.sql.stmt("DELETE FROM tenants WHERE id = ?").run(id);
      if (r.changes === 0) throw new StoreError("not_found", `tenant ${JSON.stringify(id)} not found`);
      insertAudit(this.sql, auditAbout(audit, id, id));
    });
  }

  async createKey(key: Omit<AccessKey, "revokedAt" | "lastUsedAt">, audit: AuditRecord): Promise<AccessKey> {
    return this.sql.tx(() => {
      if (key.tenantId !== null && !this.tenantSync(key.tenantId)) {
        throw new StoreError("not_found", `tenant ${JSON.stringify(key.tenantId)} not found`);
      }
      this.sql
        .stmt(
          `INSERT INTO access_keys (id, kind, tenant_id, description, secret_hash, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(key.id, key.kind, key.tenantId, key.description, key.secretHash, key.createdAt, key.expiresAt);
      insertAudit(this.sql, auditAbout(audit, key.id));
      return { ...key, revokedAt: null, lastUsedAt: null };
    });
  }

  async getKey(id: string): Promise<AccessKey | undefined> {
    // Never waits for an open group commit (see SqliteDb.peek); requests authenticate with authKeySync.
    return this.sql.peek(() => this.keySync(id));
  }

  private keySync(id: string): AccessKey | undefined {
    const row = this.sql.stmt("SELECT * FROM access_keys WHERE id = ?").get(id) as KeyRow | undefined;
    return row ? toKey(row) : undefined;
  }

  /**
   * The key, for authenticating a request: read as `getKey` reads it, and kept until the database changes
   * (see SqliteDb.remember), so that the requests of one turn read the key row once.
   */
  authKeySync(id: string): AccessKey | undefined {
    return this.sql.remember(`key:${id}`, () => this.keySync(id));
  }

  async listKeys(filter: { kind: KeyKind; tenantId?: string }): Promise<readonly AccessKey[]> {
    return this.sql.read(() => {
      const rows =
        filter.tenantId === undefined
          ? this.sql.stmt("SELECT * FROM access_keys WHERE kind = ? ORDER BY created_at, id").all(filter.kind)
          : this.sql
              .stmt("SELECT * FROM access_keys WHERE kind = ? AND tenant_id = ? ORDER BY created_at, id")
              .all(filter.kind, filter.tenantId);
      return (rows as KeyRow[]).map(toKey);
    });
  }

  async revokeKey(id: string, audit: AuditRecord): Promise<AccessKey> {
    return this.sql.tx(() => {
      const row = this.sql.stmt("SELECT * FROM access_keys WHERE id = ?").get(id) as KeyRow | undefined;
      if (!row) throw new StoreError("not_found", `key ${JSON.stringify(id)} not found`);
      const at = row.revoked_at ?? new Date().toISOString();
      this.sql.stmt("UPDATE access_keys SET revoked_at = ? WHERE id = ?").run(at, id);
      insertAudit(this.sql, auditAbout(audit, id, row.tenant_id));
      return toKey({ ...row, revoked_at: at });
    });
  }

  async touchKey(id: string, at: string): Promise<void> {
    await this.sql.tx(() =>
      this.sql.stmt("UPDATE access_keys SET last_used_at = ? WHERE id = ?").run(at, id),
    );
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.sql.tx(() => insertAudit(this.sql, record));
  }

  async queryAudit(q: AuditQuery): Promise<readonly AuditEntry[]> {
    const { sql, params } =
      q.resourceId === undefined ? buildAuditQuery(q) : resourceAuditQuery(q, q.resourceId);
    return this.sql.read(() => (this.sql.stmt(sql).all(...params) as AuditRow[]).map(toAudit));
  }

  async pruneAudit(before: string): Promise<number> {
    return this.sql.tx(() => this.sql.stmt("DELETE FROM audit WHERE at < ?").run(before).changes);
  }

  async getRoleConfig(tenantId: string): Promise<RoleConfig> {
    return this.sql.read(() => {
      const row = this.sql.stmt("SELECT document FROM role_config WHERE tenant_id = ?").get(tenantId) as
        | { document: string }
        | undefined;
      return row ? (JSON.parse(row.document) as RoleConfig) : EMPTY_ROLE_CONFIG;
    });
  }

  async putRoleConfig(
    tenantId: string,
    config: RoleConfig,
    audit: AuditRecord,
  ): Promise<{ changed: boolean }> {
    return this.sql.tx(() => {
      if (!this.tenantSync(tenantId))
        throw new StoreError("not_found", `tenant ${JSON.stringify(tenantId)} not found`);
      const doc = JSON.stringify(config);
      const row = this.sql.stmt("SELECT document FROM role_config WHERE tenant_id = ?").get(tenantId) as
        | { document: string }
        | undefined;
      if (row?.document === doc) return { changed: false };
      this.sql
        .stmt(
          `INSERT INTO role_config (tenant_id, document, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (tenant_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
        )
        .run(tenantId, doc, new Date().toISOString());
      insertAudit(this.sql, auditAbout(audit, tenantId, tenantId));
      return { changed: true };
    });
  }
}

/** The role configuration of a tenant that never set one. */
export const EMPTY_ROLE_CONFIG: RoleConfig = Object.freeze({ roles: [], defaultRoles: [], mappings: [] });
