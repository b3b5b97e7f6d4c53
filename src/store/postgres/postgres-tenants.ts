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
import type { PgDb, Sql } from "./postgres-db.js";

const AUDIT_INTO = `INSERT INTO audit (at, tenant_id, key_id, request_id, operation, resource_type, resource_id,
     outcome, summary)`;
const AUDIT_VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?";
const AUDIT_INSERT = `${AUDIT_INTO} VALUES (${AUDIT_VALUES})`;

/** Writes one audit row inside the caller's transaction, so it commits or rolls back with the write. */
export async function insertAudit(sql: Sql, a: AuditRecord): Promise<void> {
  await sql.exec(AUDIT_INSERT, auditValues(a));
}

/**
 * The audit row of a write as a data-modifying `WITH` item (`audit_row AS (INSERT …)`), to lead the write's
 * own statement: the row is inserted exactly once by that statement, commits or fails with it, and costs
 * no round trip of its own. Its parameters come first, as its text does.
 */
export function auditCte(
  a: AuditRecord,
  /** A `WITH` item of the same statement: the row is written only if that item returns a row. */
  onlyWith?: string,
): { readonly sql: string; readonly params: readonly unknown[] } {
  const insert =
    onlyWith === undefined ? AUDIT_INSERT : `${AUDIT_INTO} SELECT ${AUDIT_VALUES} FROM ${onlyWith}`;
  return { sql: `audit_row AS (${insert})`, params: auditValues(a) };
}

function notFound(what: string, id: string): StoreError {
  return new StoreError("not_found", `${what} ${JSON.stringify(id)} not found`);
}

/** Tenants, keys, deployment meta, role configuration and the audit trail on PostgreSQL. */
export class PostgresTenants {
  constructor(private readonly db: PgDb) {}

  async getOrInitMeta(key: string, value: string): Promise<string> {
    return this.db.tx(async (sql) => {
      // Two replicas starting together: the second INSERT waits for the first and then does nothing.
      await sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [
        key,
        value,
      ]);
      return (await sql.one<{ value: string }>("SELECT value FROM meta WHERE key = ?", [key]))!.value;
    });
  }

  async createTenant(input: { name: string; jit?: boolean }, audit: AuditRecord): Promise<Tenant> {
    return this.db.tx(async (sql) => {
      const at = new Date().toISOString();
      const row: TenantRow = {
        id: randomUUID(),
        name: input.name,
        jit: input.jit === true,
        created_at: at,
        updated_at: at,
      };
      await sql.exec("INSERT INTO tenants (id, name, jit, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", [
        row.id,
        row.name,
        row.jit,
        at,
        at,
      ]);
      await insertAudit(sql, auditAbout(audit, row.id, row.id));
      return toTenant(row);
    });
  }

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = await this.db.read((sql) => sql.one<TenantRow>("SELECT * FROM tenants WHERE id = ?", [id]));
    return row ? toTenant(row) : undefined;
  }

  async listTenants(): Promise<readonly Tenant[]> {
    const rows = await this.db.read((sql) => sql.rows<TenantRow>("SELECT * FROM tenants ORDER BY name"));
    return rows.map(toTenant);
  }

  async updateTenant(
    id: string,
    patch: { name?: string; jit?: boolean },
    audit: AuditRecord,
  ): Promise<Tenant> {
    return this.db.tx(async (sql) => {
      const row = await sql.one<TenantRow>("SELECT * FROM tenants WHERE id = ? FOR NO KEY UPDATE", [id]);
      if (!row) throw notFound("tenant", id);
      const name = patch.name ?? row.name;
      const jit = patch.jit ?? row.jit;
      const at = new Date().toISOString();
      await sql.exec("UPDATE tenants SET name = ?, jit = ?, updated_at = ? WHERE id = ?", [
        name,
        jit,
        at,
        id,
      ]);
      await insertAudit(sql, auditAbout(audit, id, id));
      return toTenant({ ...row, name, jit, updated_at: at });
    });
  }

  async deleteTenant(id: string, audit: AuditRecord): Promise<void> {
    await this.db.tx(async (sql) => {
      // Memberships and e-mail rows hang off users/groups, which cascade from the tenant row.
      await sql.exec("DELETE FROM group_members WHERE tenant_id = ?", [id]);
      if ((await sql.exec("DELETE FROM tenants WHERE id = ?", [id])) === 0) throw notFound("tenant", id);
      await insertAudit(sql, auditAbout(audit, id, id));
    });
  }

  async createKey(key: Omit<AccessKey, "revokedAt" | "lastUsedAt">, audit: AuditRecord): Promise<AccessKey> {
    return this.db.tx(async (sql) => {
      if (key.tenantId !== null) await lockTenant(sql, key.tenantId, "FOR KEY SHARE");
      await sql.exec(
        `INSERT INTO access_keys (id, kind, tenant_id, description, secret_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [key.id, key.kind, key.tenantId, key.description, key.secretHash, key.createdAt, key.expiresAt],
      );
      await insertAudit(sql, auditAbout(audit, key.id));
      return { ...key, revokedAt: null, lastUsedAt: null };
    });
  }

  async getKey(id: string): Promise<AccessKey | undefined> {
    const row = await this.db.read((sql) => sql.one<KeyRow>("SELECT * FROM access_keys WHERE id = ?", [id]));
    return row ? toKey(row) : undefined;
  }

  async listKeys(filter: { kind: KeyKind; tenantId?: string }): Promise<readonly AccessKey[]> {
    const rows = await this.db.read((sql) =>
      filter.tenantId === undefined
        ? sql.rows<KeyRow>("SELECT * FROM access_keys WHERE kind = ? ORDER BY created_at, id", [filter.kind])
        : sql.rows<KeyRow>(
            "SELECT * FROM access_keys WHERE kind = ? AND tenant_id = ? ORDER BY created_at, id",
            [filter.kind, filter.tenantId],
          ),
    );
    return rows.map(toKey);
  }

  async revokeKey(id: string, audit: AuditRecord): Promise<AccessKey> {
    return this.db.tx(async (sql) => {
      const row = await sql.one<KeyRow>("SELECT * FROM access_keys WHERE id = ? FOR UPDATE", [id]);
      if (!row) throw notFound("key", id);
      const at = row.revoked_at ?? new Date().toISOString();
      await sql.exec("UPDATE access_keys SET revoked_at = ? WHERE id = ?", [at, id]);
      await insertAudit(sql, auditAbout(audit, id, row.tenant_id));
      return toKey({ ...row, revoked_at: at });
    });
  }

  async touchKey(id: string, at: string): Promise<void> {
    await this.db.tx((sql) => sql.exec("UPDATE access_keys SET last_used_at = ? WHERE id = ?", [at, id]));
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.db.tx((sql) => insertAudit(sql, record));
  }

  async queryAudit(q: AuditQuery): Promise<readonly AuditEntry[]> {
    const { sql: text, params } =
      q.resourceId !== undefined && q.resourceType === undefined && q.tenantId !== undefined
        ? untypedResourceAuditQuery({ ...q, tenantId: q.tenantId }, q.resourceId)
        : buildAuditQuery(q);
    const rows = await this.db.read((sql) => sql.rows<AuditRow>(text, params));
    return rows.map(toAudit);
  }

  async pruneAudit(before: string): Promise<number> {
    return this.db.tx((sql) => sql.exec("DELETE FROM audit WHERE at < ?", [before]));
  }

  async getRoleConfig(tenantId: string): Promise<RoleConfig> {
    const row = await this.db.read((sql) =>
      sql.one<{ document: RoleConfig }>("SELECT document FROM role_config WHERE tenant_id = ?", [tenantId]),
    );
    return row ? row.document : EMPTY_ROLE_CONFIG;
  }

  async putRoleConfig(
    tenantId: string,
    config: RoleConfig,
    audit: AuditRecord,
  ): Promise<{ changed: boolean }> {
    return this.db.tx(async (sql) => {
      // Locking the tenant row serialises concurrent puts, so exactly one of two equal puts reports a change.
      await lockTenant(sql, tenantId, "FOR NO KEY UPDATE");
      const doc = JSON.stringify(config);
      const same = await sql.one("SELECT 1 FROM role_config WHERE tenant_id = ? AND document = ?::jsonb", [
        tenantId,
        doc,
      ]);
      if (same) return { changed: false };
      await sql.exec(
        `INSERT INTO role_config (tenant_id, document, updated_at) VALUES (?, ?::jsonb, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
        [tenantId, doc, new Date().toISOString()],
      );
      await insertAudit(sql, auditAbout(audit, tenantId, tenantId));
      return { changed: true };
    });
  }
}

/**
 * The audit rows about one resource of a tenant when the query names no resource type: the types the
 * tenant's rows have are listed first (auditTypesCte) and the rows looked up under each, instead of
 * filtering the tenant's whole trail.
 */
export function untypedResourceAuditQuery(
  q: AuditQuery & { readonly tenantId: string },
  resourceId: string,
): { sql: string; params: unknown[] } {
  const when: [string, unknown][] = [];
  if (q.since !== undefined) when.push(["at >= ?", q.since]);
  if (q.until !== undefined) when.push(["at < ?", q.until]);
  if (q.cursor !== undefined) when.push(["id > ?", q.cursor]);
  const sql = `WITH RECURSIVE ${auditTypesCte()}
    SELECT * FROM audit
    WHERE tenant_id = ? AND resource_type = ANY (ARRAY(SELECT rt FROM types WHERE rt IS NOT NULL))
      AND resource_id = ?${when.map(([c]) => ` AND ${c}`).join("")}
    ORDER BY id LIMIT ?`;
  const params = [q.tenantId, q.tenantId, q.tenantId, resourceId, ...when.map(([, v]) => v), q.limit];
  return { sql, params };
}

async function lockTenant(sql: Sql, tenantId: string, lock: string): Promise<void> {
  if (!(await sql.one(`SELECT 1 FROM tenants WHERE id = ? ${lock}`, [tenantId]))) {
    throw notFound("tenant", tenantId);
  }
}

/** The role configuration of a tenant that never set one. */
export const EMPTY_ROLE_CONFIG: RoleConfig = Object.freeze({ roles: [], defaultRoles: [], mappings: [] });
