/**
 * SQLite migrations, applied in order, each in its own transaction; `schema_migrations` records which
 * ran. Never edit a shipped migration: add the next one.
 */
export const SQLITE_MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * Runs with foreign-key enforcement off (SQLite's procedure for rebuilding a table that others reference:
   * dropping the old table must not cascade), then checks every foreign key before it commits.
   */
  readonly rebuildsTables?: true;
}[] = [
  {
    version: 1,
    name: "tenants, keys, users, groups, memberships, audit",
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  jit INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX tenants_name ON tenants (name);

CREATE TABLE access_keys (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('tenant', 'management')),
  tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  description TEXT NOT NULL DEFAULT '',
  secret_hash BLOB NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT,
  last_used_at TEXT
) WITHOUT ROWID;
CREATE INDEX access_keys_tenant ON access_keys (tenant_id);

CREATE TABLE users (
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  user_name_lc TEXT NOT NULL,
  external_id TEXT,
  display_name TEXT,
  active INTEGER,
  origin TEXT NOT NULL DEFAULT 'scim',
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX users_user_name ON users (tenant_id, user_name_lc);
CREATE INDEX users_external_id ON users (tenant_id, external_id);
CREATE INDEX users_created ON users (tenant_id, created, id);

CREATE TABLE user_emails (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  type_lc TEXT NOT NULL,
  value_lc TEXT NOT NULL,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_emails_value ON user_emails (tenant_id, value_lc, type_lc);
CREATE INDEX user_emails_user ON user_emails (tenant_id, user_id);

CREATE TABLE groups (
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  display_name_lc TEXT NOT NULL,
  external_id TEXT,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX groups_display_name ON groups (tenant_id, display_name_lc);
CREATE INDEX groups_external_id ON groups (tenant_id, external_id);
CREATE INDEX groups_created ON groups (tenant_id, created, id);

CREATE TABLE group_members (
  tenant_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  member_type TEXT NOT NULL CHECK (member_type IN ('User', 'Group')),
  PRIMARY KEY (tenant_id, group_id, member_id),
  FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX group_members_member ON group_members (tenant_id, member_id);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  tenant_id TEXT,
  key_id TEXT,
  request_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT,
  outcome TEXT NOT NULL,
  summary TEXT NOT NULL
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
  tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  document TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: "users keyed by row id",
    rebuildsTables: true,
    // A WITHOUT ROWID table keeps whole rows in its interior pages too: with ~650-byte user documents a
    // page held about five, so 1M users had 50k interior pages (200 MB) around 200k leaves, and a lookup
    // read several pages SQLite's cache could not keep. A rowid table's interior pages hold integers
    // (hundreds per page); the (tenant_id, id) key becomes a unique index of its own.
    sql: `
CREATE TABLE users_v3 (
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  user_name_lc TEXT NOT NULL,
  external_id TEXT,
  display_name TEXT,
  active INTEGER,
  origin TEXT NOT NULL DEFAULT 'scim',
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL
);
INSERT INTO users_v3 (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
  version, created, last_modified)
SELECT tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc, version, created,
  last_modified FROM users ORDER BY tenant_id, created, id;
DROP TABLE users;
ALTER TABLE users_v3 RENAME TO users;
CREATE UNIQUE INDEX users_key ON users (tenant_id, id);
CREATE UNIQUE INDEX users_user_name ON users (tenant_id, user_name_lc);
CREATE INDEX users_external_id ON users (tenant_id, external_id);
CREATE INDEX users_created ON users (tenant_id, created, id);
`,
  },
  {
    version: 4,
    name: "audit rows of user and group updates chained per resource",
    // The audit-by-resource index put each audited write's entry on a random leaf page (the resource's
    // place among all resources), which the batch's COMMIT then wrote to the WAL: about 23 us of each user
    // write, a sixth of a user PATCH. Updates (PATCH, PUT) of users and groups, by far the most frequent
    // writes, now leave that index out: each such row points to the resource's previous one (prev), and
    // the user or group row, which the update rewrites anyway, keeps the latest (audit_head). Creations,
    // deletions (which keep the chain's head in prev), failures and every other resource stay indexed;
    // rows written before this migration stay indexed too. See SqliteTenants.queryAudit.
    sql: `
ALTER TABLE audit ADD COLUMN prev INTEGER;
ALTER TABLE audit ADD COLUMN chained INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN audit_head INTEGER;
ALTER TABLE groups ADD COLUMN audit_head INTEGER;
DROP INDEX audit_resource;
CREATE INDEX audit_resource ON audit (tenant_id, resource_type, resource_id, id) WHERE chained = 0;
`,
  },
  {
    version: 5,
    name: "memberships keyed by integers",
    rebuildsTables: true,
    // Each membership was two entries of three 36-character keys (tenant, group, member): the member table
    // and its index by member took 760 MB of a 1M-user directory's 2.4 GB, and reading a user's groups
    // (80% of Entra's incremental requests) sought through five levels of that index. Users and groups get
    // an integer key of their own (an INTEGER PRIMARY KEY, which VACUUM keeps, unlike a bare rowid), and a
    // membership is two small integers and the member's kind: the same memberships in about a twelfth of
    // the space, and a user's groups in about half the time (eleventh session's measurement on a copy).
    // Users keep their row ids, so their order on disk does not change; groups are laid out in creation
    // order. The tenant of a membership is its group's.
    sql: `
CREATE TABLE users_v5 (
  pk INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  user_name_lc TEXT NOT NULL,
  external_id TEXT,
  display_name TEXT,
  active INTEGER,
  origin TEXT NOT NULL DEFAULT 'scim',
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  audit_head INTEGER
);
INSERT INTO users_v5 (pk, tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
  version, created, last_modified, audit_head)
SELECT rowid, tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc, version,
  created, last_modified, audit_head FROM users;
DROP TABLE users;
ALTER TABLE users_v5 RENAME TO users;
CREATE UNIQUE INDEX users_key ON users (tenant_id, id);
CREATE UNIQUE INDEX users_user_name ON users (tenant_id, user_name_lc);
CREATE INDEX users_external_id ON users (tenant_id, external_id);
CREATE INDEX users_created ON users (tenant_id, created, id);

CREATE TABLE groups_v5 (
  pk INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  display_name_lc TEXT NOT NULL,
  external_id TEXT,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  audit_head INTEGER
);
INSERT INTO groups_v5 (tenant_id, id, display_name, display_name_lc, external_id, doc, version, created,
  last_modified, audit_head)
SELECT tenant_id, id, display_name, display_name_lc, external_id, doc, version, created, last_modified, audit_head
  FROM groups ORDER BY tenant_id, created, id;
DROP TABLE groups;
ALTER TABLE groups_v5 RENAME TO groups;
CREATE UNIQUE INDEX groups_key ON groups (tenant_id, id);
CREATE UNIQUE INDEX groups_display_name ON groups (tenant_id, display_name_lc);
CREATE INDEX groups_external_id ON groups (tenant_id, external_id);
CREATE INDEX groups_created ON groups (tenant_id, created, id);

CREATE TABLE group_members_v5 (
  group_pk INTEGER NOT NULL REFERENCES groups (pk) ON DELETE CASCADE,
  member_group INTEGER NOT NULL CHECK (member_group IN (0, 1)),
  member_pk INTEGER NOT NULL,
  PRIMARY KEY (group_pk, member_group, member_pk)
) WITHOUT ROWID;
INSERT INTO group_members_v5 (group_pk, member_group, member_pk)
SELECT g.pk, m.member_type = 'Group', coalesce(u.pk, mg.pk) AS member_pk
  FROM group_members m
  JOIN groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
  LEFT JOIN users u ON m.member_type = 'User' AND u.tenant_id = m.tenant_id AND u.id = m.member_id
  LEFT JOIN groups mg ON m.member_type = 'Group' AND mg.tenant_id = m.tenant_id AND mg.id = m.member_id
  WHERE coalesce(u.pk, mg.pk) IS NOT NULL
  ORDER BY 1, 2, 3;
DROP TABLE group_members;
ALTER TABLE group_members_v5 RENAME TO group_members;
CREATE INDEX group_members_member ON group_members (member_group, member_pk);
`,
  },
];
