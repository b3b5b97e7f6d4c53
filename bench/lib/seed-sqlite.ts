import { closeSync, openSync, readSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import type { GroupRow, Seeder, UserRow } from "./seed.js";

/** Bulk writer into a scimgate SQLite file (already migrated), one transaction per batch. */
export class SqliteSeeder implements Seeder {
  private readonly db: Database.Database;

  constructor(
    private readonly file: string,
    private readonly tenantId: string,
  ) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = OFF");
    // SQLite's default page cache (2 MB). Until the fourteenth session this connection had up to 1 GB, which
    // stayed resident, idle, in the process that then runs the load client (freeing it with shrink_memory
    // did not give it back): with it the client's event loop stopped for over 5 ms 38-70 times per 8 s of
    // the mix (max 20-35 ms), without it 23-58 times (max about 10 ms), and every latency it measures
    // includes those stops. Seeding 900k users takes ~15% longer (121 against 100-114 s).
  }

  async settle(): Promise<void> {
    // scimgate keeps its own planner statistics on SQLite and never runs ANALYZE; neither does the bench.
  }

  async insertUsers(rows: readonly UserRow[]): Promise<void> {
    const u = this.db.prepare(
      `INSERT INTO users (tenant_id, id, user_name, user_name_lc, external_id, display_name, active, origin, doc,
         version, created, last_modified) VALUES (?, ?, ?, ?, ?, ?, 1, 'scim', ?, 1, ?, ?)`,
    );
    const e = this.db.prepare(
      "INSERT INTO user_emails (tenant_id, user_id, type_lc, value_lc) VALUES (?, ?, 'work', ?)",
    );
    this.db.transaction(() => {
      for (const r of rows) {
        u.run(
          this.tenantId,
          r.id,
          r.userName,
          r.userName.toLowerCase(),
          r.externalId,
          r.displayName,
          r.doc,
          r.created,
          r.created,
        );
        e.run(this.tenantId, r.id, r.email.toLowerCase());
      }
    })();
  }

  async insertGroups(rows: readonly GroupRow[]): Promise<void> {
    const g = this.db.prepare(
      `INSERT INTO groups (tenant_id, id, display_name, display_name_lc, external_id, doc, version, created,
         last_modified) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        g.run(
          this.tenantId,
          r.id,
          r.displayName,
          r.displayName.toLowerCase(),
          r.externalId,
          r.doc,
          r.created,
          r.created,
        );
      }
    })();
  }

  async insertMembers(pairs: readonly (readonly [string, string])[]): Promise<void> {
    // Memberships are keyed by the users' and groups' integer keys (migration 5).
    const m = this.db.prepare(
      `INSERT OR IGNORE INTO group_members (group_pk, member_group, member_pk)
         SELECT g.pk, 0, u.pk FROM groups g, users u
         WHERE g.tenant_id = ? AND g.id = ? AND u.tenant_id = ? AND u.id = ?`,
    );
    this.db.transaction(() => {
      for (const [g, u] of pairs) {
        if (m.run(this.tenantId, g, this.tenantId, u).changes !== 1)
          throw new Error(`membership ${g} ∋ ${u}: no such group or user`);
      }
    })();
  }

  async sizeBytes(): Promise<number> {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    return statSync(this.file).size;
  }

  async warm(): Promise<number> {
    return warmFile(this.file);
  }

  async close(): Promise<void> {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    this.db.close();
  }
}

/**
 * Reads a database file once from end to end, so that its pages are in the OS page cache before the timed
 * scenarios. Seeding writes every page, yet on this machine's VMs a freshly seeded 1M-user file was seen
 * with about 8% of its pages no longer resident (`fincore`: 2.2 of 2.4 GB); the mix then read about 7 MB/s
 * from disk (`vmstat`) and ran at 3,500–5,100 requests/s, against 5,800–6,100 once the file had been read
 * (eleventh session, scratch runs). The cause is the VM's kernel: DAMON pages out memory left idle for 60 s,
 * page cache included (see machine.ts). Returns the bytes read.
 */
export function warmFile(file: string): number {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let total = 0;
    for (let n = readSync(fd, buf, 0, buf.length, total); n > 0; n = readSync(fd, buf, 0, buf.length, total))
      total += n;
    return total;
  } finally {
    closeSync(fd);
  }
}
