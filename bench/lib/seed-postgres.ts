import pg from "pg";
import type { GroupRow, Seeder, UserRow } from "./seed.js";

/** Bulk writer into a scimgate PostgreSQL database (already migrated): one multi-row INSERT per batch. */
export class PostgresSeeder implements Seeder {
  private readonly client: pg.Client;
  private connected: Promise<void>;

  constructor(
    url: string,
    private readonly tenantId: string,
  ) {
    this.client = new pg.Client({ connectionString: url });
    this.connected = this.client.connect().then(() => undefined);
  }

  private async q(sql: string, params: unknown[]): Promise<void> {
    await this.connected;
    await this.client.query(sql, params);
  }

  async insertUsers(rows: readonly UserRow[]): Promise<void> {
    const col = <K extends keyof UserRow>(k: K) => rows.map((r) => r[k]);
    await this.q(
      `INSERT INTO users (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
         version, created, last_modified)
       SELECT $1, id, un, lower(un), ext, dn, true, 'scim', d::jsonb, 1, c, c
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(id, un, ext, dn, d, c)`,
      [
        this.tenantId,
        col("id"),
        col("userName"),
        col("externalId"),
        col("displayName"),
        col("doc"),
        col("created"),
      ],
    );
    await this.q(
      `INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc)
       SELECT $1, id, 'work', lower(e) FROM unnest($2::text[], $3::text[]) AS t(id, e)`,
      [this.tenantId, col("id"), col("email")],
    );
  }

  async insertGroups(rows: readonly GroupRow[]): Promise<void> {
    const col = <K extends keyof GroupRow>(k: K) => rows.map((r) => r[k]);
    await this.q(
      `INSERT INTO groups (tenant_id, id, display_name, display_name_lc, external_id, doc, version, created, last_modified)
       SELECT $1, id, dn, lower(dn), ext, d::jsonb, 1, c, c
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, dn, ext, d, c)`,
      [this.tenantId, col("id"), col("displayName"), col("externalId"), col("doc"), col("created")],
    );
  }

  async insertMembers(pairs: readonly (readonly [string, string])[]): Promise<void> {
    await this.q(
      `INSERT INTO group_members (tenant_id, group_id, member_id, member_type)
       SELECT $1, g, u, 'User' FROM unnest($2::text[], $3::text[]) AS t(g, u) ON CONFLICT DO NOTHING`,
      [this.tenantId, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
  }

  async sizeBytes(): Promise<number> {
    await this.connected;
    const r = await this.client.query("SELECT pg_database_size(current_database())::bigint AS n");
    return Number(r.rows[0].n);
  }

  async settle(): Promise<void> {
    await this.connected;
    await this.client.query("VACUUM (ANALYZE) users, user_emails, groups, group_members");
  }

  async warm(): Promise<number> {
    await this.connected;
    // pg_prewarm's 'read' mode reads every block of a relation into the OS page cache (not into
    // shared_buffers): what the SQLite seeder's file read does. Every table, index and TOAST table of the
    // database's own schemas.
    await this.client.query("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
    const r = await this.client.query(
      `SELECT coalesce(sum(pg_prewarm(c.oid::regclass, 'read')), 0)::bigint AS blocks,
         current_setting('block_size')::bigint AS block_size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'i', 't', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
    );
    return Number(r.rows[0].blocks) * Number(r.rows[0].block_size);
  }

  async close(): Promise<void> {
    await this.connected;
    await this.client.end();
  }
}
