/**
 * PostgreSQL migrations, mirroring the SQLite ones version for version (same tables, columns and
 * indexes), applied in order under an advisory lock; `schema_migrations` records which ran. Never edit
 * a shipped migration: add the next one to both backends.
 *
 * Timestamps are ISO-8601 `text` written by `Date.toISOString()` (fixed width, UTC), exactly as on
 * SQLite: the Store contract hands back the very string it stored, and lexical order is time order.
 */
export const POSTGRES_MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}[] = [
  {
    version: 1,
    name: "tenants, keys, users, groups, memberships, audit",
    sql: `
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  jit boolean NOT NULL DEFAULT false,
  created_at text NOT NULL,
  updated_at text NOT NULL
);
CREATE UNIQUE INDEX tenants_name ON tenants (name);

CREATE TABLE access_keys (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('tenant', 'management')),
  tenant_id text REFERENCES tenants (id) ON DELETE CASCADE,
  description text NOT NULL DEFAULT '',
  secret_hash bytea NOT NULL,
  created_at text NOT NULL,
  expires_at text,
  revoked_at text,
  last_used_at text
);
CREATE INDEX access_keys_tenant ON access_keys (tenant_id);

CREATE TABLE users (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id text NOT NULL,
  user_name text NOT NULL,
  user_name_lc text NOT NULL,
  external_id text,
  display_name text,
  active boolean,
  origin text NOT NULL DEFAULT 'scim',
  doc jsonb NOT NULL,
  version integer NOT NULL,
  created text NOT NULL,
  last_modified text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_user_name ON users (tenant_id, user_name_lc);
CREATE INDEX users_external_id ON users (tenant_id, external_id);
CREATE INDEX users_created ON users (tenant_id, created, id);

CREATE TABLE user_emails (
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  type_lc text NOT NULL,
  value_lc text NOT NULL,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_emails_value ON user_emails (tenant_id, value_lc, type_lc);
CREATE INDEX user_emails_user ON user_emails (tenant_id, user_id);

CREATE TABLE groups (
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id text NOT NULL,
  display_name text NOT NULL,
  display_name_lc text NOT NULL,
  external_id text,
  doc jsonb NOT NULL,
  version integer NOT NULL,
  created text NOT NULL,
  last_modified text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX groups_display_name ON groups (tenant_id, display_name_lc);
CREATE INDEX groups_external_id ON groups (tenant_id, external_id);
CREATE INDEX groups_created ON groups (tenant_id, created, id);

CREATE TABLE group_members (
  tenant_id text NOT NULL,
  group_id text NOT NULL,
  member_id text NOT NULL,
  member_type text NOT NULL CHECK (member_type IN ('User', 'Group')),
  PRIMARY KEY (tenant_id, group_id, member_id),
  FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_member ON group_members (tenant_id, member_id);

CREATE TABLE audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at text NOT NULL,
  tenant_id text,
  key_id text,
  request_id text NOT NULL,
  operation text NOT NULL,
  resource_type text NOT NULL,
  resource_id text,
  outcome text NOT NULL,
  summary text NOT NULL
);
CREATE INDEX audit_tenant ON audit (tenant_id, id);
CREATE INDEX audit_resource ON audit (tenant_id, resource_type, resource_id, id);
CREATE INDEX audit_at ON audit (at);
`,
  },
  {
    version: 2,
    name: "role configuration per tenant",
    sql: `
CREATE TABLE role_config (
  tenant_id text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  document jsonb NOT NULL,
  updated_at text NOT NULL
);
`,
  },
  {
    version: 3,
    name: "users keyed by row id",
    // SQLite's users table became a rowid table; PostgreSQL's tables always were heaps with the key as an
    // index, so there is nothing to change here. Kept so both backends count the same versions.
    sql: "SELECT 1",
  },
  {
    version: 4,
    name: "audit rows of user and group updates chained per resource",
    // SQLite only (see its migration 4): PostgreSQL keeps its whole audit-by-resource index. Its writes go
    // to shared buffers and its WAL logs rows rather than pages; where its time goes is in bench/README.md.
    // Kept so both backends count the same versions.
    sql: "SELECT 1",
  },
  {
    version: 5,
    name: "memberships keyed by integers",
    // SQLite only (see its migration 5). PostgreSQL's membership table stays keyed by the tenant and the
    // ids; it was not measured to be where PostgreSQL's time goes (bench/README.md). Kept so both backends
    // count the same versions.
    sql: "SELECT 1",
  },
];
