import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFilter } from "../../src/scim/filter/parse.js";
import { buildListSql, userListSql } from "../../src/store/sqlite/sqlite-resources.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { resourceAuditQuery } from "../../src/store/sqlite/sqlite-tenants.js";
import type { AuditRecord } from "../../src/store/store.js";
import { groupLayout, SQLITE_MEMBERSHIP, userLayout } from "../../src/store/table-layouts.js";

const audit: AuditRecord = {
  tenantId: null,
  keyId: null,
  requestId: "explain",
  operation: "seed",
  resourceType: "User",
  resourceId: null,
  outcome: "success",
  summary: "",
};

describe("SQLite query plans for Entra's lookups, without ANALYZE", () => {
  const dir = mkdtempSync(join(tmpdir(), "scimgate-explain-"));
  const file = join(dir, "x.db");
  let tenantId = "";
  let db: Database.Database;

  beforeAll(async () => {
    const store = await SqliteStore.open(`sqlite:${file}`);
    tenantId = (await store.createTenant({ name: "t" }, audit)).id;
    const other = (await store.createTenant({ name: "o" }, audit)).id;
    for (let i = 0; i < 300; i++) {
      for (const t of [tenantId, other]) {
        await store.createUser(
          t,
          { userName: `u${i}@x.com`, externalId: `e${i}`, emails: [{ type: "work", value: `u${i}@x.com` }] },
          audit,
        );
      }
      if (i % 10 === 0) {
        const members = (await store.listUsers(tenantId, { startIndex: 1, count: 5 })).resources;
        await store.createGroup(
          tenantId,
          { displayName: `g${i}`, externalId: `ge${i}` },
          members.map((u) => u.id),
          audit,
        );
      }
    }
    await store.close();
    db = new Database(file);
    db.function("scim_lower", { deterministic: true }, (s: unknown) =>
      typeof s === "string" ? s.toLowerCase() : s,
    );
    // No ANALYZE: production never runs one, so the plans must come from the statistics the store
    // writes itself when a database has none (sqlite-stats.ts).
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const explain = (page: { sql: string; params: readonly unknown[] }): string => {
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${page.sql}`).all(...page.params) as { detail: string }[];
    return rows.map((r) => r.detail).join("\n");
  };
  const plan = (table: "users" | "groups", filter: string): string => {
    const layout =
      table === "users" ? userLayout(tenantId, SQLITE_MEMBERSHIP) : groupLayout(tenantId, SQLITE_MEMBERSHIP);
    const q = { filter: parseFilter(filter), startIndex: 1, count: 100 };
    return explain(buildListSql(table, layout, tenantId, q).page);
  };

  it.each([
    [
      "users",
      'userName eq "U7@x.com"',
      "SEARCH u USING INDEX users_user_name (tenant_id=? AND user_name_lc=?)",
    ],
    ["users", 'externalId eq "e7"', "SEARCH u USING INDEX users_external_id (tenant_id=? AND external_id=?)"],
    ["users", 'id eq "x"', "SEARCH u USING INDEX users_key (tenant_id=? AND id=?)"],
    [
      "users",
      'emails[type eq "work"].value eq "u7@x.com"',
      "SEARCH user_emails USING INDEX user_emails_value (tenant_id=? AND value_lc=? AND type_lc=?)",
    ],
    [
      "groups",
      'displayName eq "G10"',
      "SEARCH g USING INDEX groups_display_name (tenant_id=? AND display_name_lc=?)",
    ],
    [
      "groups",
      'externalId eq "ge10"',
      "SEARCH g USING INDEX groups_external_id (tenant_id=? AND external_id=?)",
    ],
  ] as const)("looks up %s by %s with an index search on the full key", (table, filter, search) => {
    const p = plan(table, filter);
    expect(p).toContain(search);
    expect(p).not.toMatch(/SCAN (u|g)\b/);
  });

  it("reads each listed user's groups through the member index and the groups' integer keys", () => {
    const q = { filter: parseFilter('userName eq "u1@x.com"'), startIndex: 1, count: 100 };
    const p = explain(userListSql(tenantId, q, true).page);
    expect(p).toContain(
      "SEARCH m USING COVERING INDEX group_members_member (member_group=? AND member_pk=?)",
    );
    expect(p).toContain("SEARCH g USING INTEGER PRIMARY KEY (rowid=?)");
    expect(p).not.toMatch(/SCAN (m|g|u|group_members)\b/);
  });

  it.each([
    [
      "users",
      'groups[value eq "x"]',
      "SEARCH m USING PRIMARY KEY (group_pk=? AND member_group=?)",
      "SEARCH groups USING COVERING INDEX groups_key (tenant_id=? AND id=?)",
      "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)",
    ],
    [
      "groups",
      'members[value eq "x"]',
      "SEARCH m USING COVERING INDEX group_members_member (member_group=? AND member_pk=?)",
      "SEARCH users USING COVERING INDEX users_key (tenant_id=? AND id=?)",
    ],
  ] as const)("filters %s by %s through the membership keys, not a scan", (table, filter, ...searches) => {
    const p = plan(table, filter);
    for (const s of searches) expect(p).toContain(s);
    expect(p).not.toMatch(/SCAN (m|g|u|group_members)\b/);
  });
});

describe("SQLite query plan for the audit trail of one resource", () => {
  const dir = mkdtempSync(join(tmpdir(), "scimgate-explain-audit-"));
  const file = join(dir, "x.db");
  let tenantId = "";
  let userId = "";
  let db: Database.Database;

  beforeAll(async () => {
    const store = await SqliteStore.open(`sqlite:${file}`);
    tenantId = (await store.createTenant({ name: "t" }, audit)).id;
    const a = { ...audit, tenantId };
    for (let i = 0; i < 200; i++) {
      const u = await store.createUser(tenantId, { userName: `u${i}@x.com` }, a);
      userId = u.id;
      await store.updateUser(
        tenantId,
        u.id,
        { patch: [{ op: "replace", path: "title", value: "x" }] },
        {},
        a,
      );
    }
    await store.close();
    db = new Database(file);
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves updates out of the audit-by-resource index and finds a resource's rows without a scan", () => {
    // 200 creations indexed; their 200 updates are chained instead.
    const indexed = db
      .prepare("SELECT count(*) AS n FROM audit INDEXED BY audit_resource WHERE chained = 0")
      .get();
    expect(indexed).toEqual({ n: 200 + 1 });
    expect(db.prepare("SELECT count(*) AS n FROM audit WHERE chained = 1").get()).toEqual({ n: 200 });
    const q = resourceAuditQuery({ tenantId, resourceType: "User", limit: 100 }, userId);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((r) => r.detail)
      .join("\n");
    expect(plan).toContain("audit_resource");
    // The chain is walked row by row from its heads, not matched against the tenant's whole trail.
    expect(plan).not.toContain("audit_tenant");
    expect(plan).not.toMatch(/SCAN audit(?! USING)/);
    expect(plan).not.toMatch(/SCAN (users|groups)\b/);
    expect(
      db
        .prepare(q.sql)
        .all(...q.params)
        .map((r) => (r as { operation: string }).operation),
    ).toEqual(["seed", "seed"]);
  });

  it("without the resource type, looks the rows up under each of the tenant's types instead of scanning", () => {
    const q = resourceAuditQuery({ tenantId, limit: 100 }, userId);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((r) => r.detail)
      .join("\n");
    // The types come from the index one seek each, and the rows from the index under each type.
    expect(plan).toMatch(
      /SEARCH (a|audit) USING COVERING INDEX audit_resource \(tenant_id=\? AND resource_type>\?\)/,
    );
    expect(plan).toMatch(
      /SEARCH audit USING INDEX audit_resource \(tenant_id=\? AND resource_type=\? AND resource_id=\?\)/,
    );
    expect(plan).not.toContain("audit_tenant");
    expect(plan).not.toMatch(/SCAN audit(?! USING)/);
    expect(
      db
        .prepare(q.sql)
        .all(...q.params)
        .map((r) => (r as { operation: string }).operation),
    ).toEqual(["seed", "seed"]);
  });
});
