import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFilter } from "../../src/scim/filter/parse.js";
import { buildListSql } from "../../src/store/sqlite/sqlite-resources.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { AuditRecord } from "../../src/store/store.js";
import { groupLayout, userLayout } from "../../src/store/table-layouts.js";

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
      if (i % 10 === 0)
        await store.createGroup(tenantId, { displayName: `g${i}`, externalId: `ge${i}` }, [], audit);
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

  const plan = (table: "users" | "groups", filter: string): string => {
    const layout = table === "users" ? userLayout(tenantId) : groupLayout(tenantId);
    const q = { filter: parseFilter(filter), startIndex: 1, count: 100 };
    const { page } = buildListSql(table, layout, tenantId, q);
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${page.sql}`).all(...page.params) as { detail: string }[];
    return rows.map((r) => r.detail).join("\n");
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
});
