import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/main.js";
import type { ScimDoc } from "../../src/scim/types.js";
import { WAL_SIZE_LIMIT_BYTES } from "../../src/store/sqlite/sqlite-checkpointer.js";
import { SqliteDb } from "../../src/store/sqlite/sqlite-db.js";
import { type AuditRecord, type Store, StoreError } from "../../src/store/store.js";

/**
 * Group commit on SQLite: the writes of one event-loop turn share one COMMIT, each in its own savepoint.
 * Every property is checked through a second connection to the same file, which sees only what is
 * committed.
 */

function audit(operation: string, resourceType = "User"): AuditRecord {
  return {
    tenantId: null,
    keyId: null,
    requestId: randomUUID(),
    operation,
    resourceType,
    resourceId: null,
    outcome: "success",
    summary: "",
  };
}

const user = (userName: string): ScimDoc => ({ userName, active: true });

describe("SQLite group commit", () => {
  let dir: string;
  let file: string;
  let store: Store;
  let tenantId: string;
  let other: Database.Database;

  const committedUserNames = (): string[] =>
    (
      other.prepare("SELECT user_name FROM users WHERE tenant_id = ? ORDER BY user_name").all(tenantId) as {
        user_name: string;
      }[]
    ).map((r) => r.user_name);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "scimgate-gc-"));
    file = join(dir, "db.sqlite");
    store = await openStore(`file:${file}`);
    tenantId = (await store.createTenant({ name: "t" }, audit("create", "Tenant"))).id;
    other = new Database(file, { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a write only once it is committed, and not before", async () => {
    const write = store.createUser(tenantId, user("ann"), audit("create"));
    // The write has run, but its batch has not committed yet: another connection cannot see it.
    expect(committedUserNames()).toEqual([]);
    const seenOnAnswer = await write.then(() => committedUserNames());
    expect(seenOnAnswer).toEqual(["ann"]);
  });

  it("commits the writes of one turn together, and a failed write alone is rolled back", async () => {
    await store.createUser(tenantId, user("taken"), audit("create"));
    const results = await Promise.allSettled([
      store.createUser(tenantId, user("a"), audit("create")),
      store.createUser(tenantId, user("TAKEN"), audit("create")),
      store.createUser(tenantId, user("b"), audit("create")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const e = (results[1] as PromiseRejectedResult).reason;
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe("conflict");
    expect(committedUserNames()).toEqual(["a", "b", "taken"]);
    // Two creates and the first one's audit rows; the failed create left no row of its own.
    const audits = other.prepare(
      "SELECT count(*) AS n FROM audit WHERE operation = 'create' AND resource_type = 'User'",
    );
    expect((audits.get() as { n: number }).n).toBe(3);
  });

  it("answers a read that saw an uncommitted write only after that write is committed", async () => {
    const write = store.createUser(tenantId, user("carl"), audit("create"));
    const read = store.listUsers(tenantId, { startIndex: 1, count: 10 }).then((page) => ({
      page,
      committed: committedUserNames(),
    }));
    const [, r] = await Promise.all([write, read]);
    expect(r.page.resources.map((u) => u.doc.userName)).toEqual(["carl"]);
    expect(r.committed).toEqual(["carl"]);
  });

  it("lets another tenant's reads answer without waiting for a batch of this tenant's writes", async () => {
    const otherTenant = (await store.createTenant({ name: "o" }, audit("create", "Tenant"))).id;
    await store.createUser(otherTenant, user("olga"), audit("create"));
    let committed = false;
    const write = store.createUser(tenantId, user("fred"), audit("create")).then(() => {
      committed = true;
    });
    const page = await store.listUsers(otherTenant, { startIndex: 1, count: 10 });
    expect(page.resources.map((u) => u.doc.userName)).toEqual(["olga"]);
    expect(committed).toBe(false);
    // The same tenant's read waits for the commit of the write it saw.
    const own = await store.listUsers(tenantId, { startIndex: 1, count: 10 });
    expect(own.resources.map((u) => u.doc.userName)).toEqual(["fred"]);
    expect(committedUserNames()).toEqual(["fred"]);
    await write;
  });

  it("checks an access key without waiting for the open batch", async () => {
    const key = {
      id: "0123456789abcdef",
      kind: "tenant" as const,
      tenantId,
      description: "k",
      secretHash: Buffer.alloc(32, 1),
      createdAt: new Date().toISOString(),
      expiresAt: null,
    };
    await store.createKey(key, audit("create", "AccessKey"));
    let committed = false;
    const write = store.createUser(tenantId, user("erin"), audit("create")).then(() => {
      committed = true;
    });
    const found = await store.getKey(key.id);
    expect(found?.id).toBe(key.id);
    expect(committed).toBe(false);
    await write;
    expect(committedUserNames()).toEqual(["erin"]);
  });

  it("keeps every write of a turn larger than one batch", async () => {
    const names = Array.from({ length: 600 }, (_, i) => `u${String(i).padStart(3, "0")}`);
    await Promise.all(names.map((n) => store.createUser(tenantId, user(n), audit("create"))));
    expect(committedUserNames()).toEqual(names);
  });

  it("sequential writes each see the one before", async () => {
    const u = await store.createUser(tenantId, user("dora"), audit("create"));
    for (let i = 0; i < 5; i++) {
      await store.updateUser(
        tenantId,
        u.id,
        { patch: [{ op: "replace", path: "title", value: `t${i}` }] },
        {},
        audit("patch"),
      );
    }
    const row = other.prepare("SELECT version, doc FROM users WHERE id = ?").get(u.id) as {
      version: number;
      doc: string;
    };
    expect(row.version).toBe(6);
    expect(JSON.parse(row.doc).title).toBe("t4");
  });
});

describe("SqliteDb batch failure", () => {
  let dir: string;
  let db: SqliteDb;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "scimgate-gc-"));
    db = new SqliteDb(join(dir, "db.sqlite"));
    db.db.exec(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));",
    );
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails every write of a batch whose COMMIT fails, and applies none of them", async () => {
    // A deferred foreign key is checked at COMMIT: the second write makes the shared COMMIT fail.
    const good = db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (1)").run());
    const bad = db.tx(() => {
      db.db.pragma("defer_foreign_keys = ON");
      db.db.prepare("INSERT INTO child (id, p) VALUES (1, 99)").run();
    });
    const results = await Promise.allSettled([good, bad]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const e = (r as PromiseRejectedResult).reason as StoreError;
      expect(e).toBeInstanceOf(StoreError);
      expect(e.code).toBe("unavailable");
    }
    expect(db.db.inTransaction).toBe(false);
    expect(db.db.prepare("SELECT count(*) AS n FROM parent").get()).toEqual({ n: 0 });
    // The connection goes on: the next write commits.
    await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (2)").run());
    expect(db.db.prepare("SELECT id FROM parent").all()).toEqual([{ id: 2 }]);
  });

  it("rolls a throwing write back to its savepoint and rethrows its error", async () => {
    const kept = db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (1)").run());
    const thrown = db.tx(() => {
      db.db.prepare("INSERT INTO parent (id) VALUES (2)").run();
      throw new StoreError("invalid", "no");
    });
    await expect(thrown).rejects.toThrow("no");
    await kept;
    expect(db.db.prepare("SELECT id FROM parent").all()).toEqual([{ id: 1 }]);
  });

  it("waits for another connection's open batch without blocking the event loop", async () => {
    const second = new SqliteDb(join(dir, "db.sqlite"));
    try {
      const first = db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (1)").run());
      // `db` holds the write lock until its batch commits on the next turn; `second` must wait for it.
      const waiting = second.tx(() => second.db.prepare("INSERT INTO parent (id) VALUES (2)").run());
      await Promise.all([first, waiting]);
      expect(second.db.prepare("SELECT id FROM parent ORDER BY id").all()).toEqual([{ id: 1 }, { id: 2 }]);
    } finally {
      await second.close();
    }
  });

  it("answers 'unavailable' when the write lock stays taken, and keeps the event loop running meanwhile", async () => {
    const holder = new Database(join(dir, "db.sqlite"));
    holder.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 100);
    try {
      const e = await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (1)").run()).catch((x) => x);
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).code).toBe("unavailable");
      expect(ticks).toBeGreaterThan(20);
    } finally {
      clearInterval(timer);
      holder.exec("ROLLBACK");
      holder.close();
    }
    await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (3)").run());
    expect(db.db.prepare("SELECT id FROM parent").all()).toEqual([{ id: 3 }]);
  }, 15_000);

  it("checkpoints committed writes into the database file from its worker thread", async () => {
    const file = join(dir, "db.sqlite");
    for (let i = 1; i <= 50; i++)
      await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (?)").run(i));
    // The connection's own automatic checkpoint would wait for ~400 MB of WAL; the worker runs every 200 ms.
    const copy = join(dir, "copy.sqlite");
    const deadline = Date.now() + 5000;
    let rows = 0;
    while (rows < 50 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      copyFileSync(file, copy); // the database file alone, without its WAL
      const c = new Database(copy);
      const has = c.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'parent'").get();
      rows = has ? (c.prepare("SELECT count(*) AS n FROM parent").get() as { n: number }).n : 0;
      c.close();
      rmSync(copy, { force: true });
    }
    expect(rows).toBe(50);
  });

  it("never cuts the WAL file back in its own commits: the checkpointer does, once writes pause", async () => {
    const file = join(dir, "db.sqlite");
    const walBytes = () => statSync(`${file}-wal`).size;
    // On the serving connection a size limit would make the first commit after the WAL starts over
    // truncate the file on the event loop.
    expect(db.db.pragma("journal_size_limit", { simple: true })).toBe(-1);
    db.db.exec("CREATE TABLE blob (id INTEGER PRIMARY KEY, b BLOB)");
    // One write past the limit: the WAL file grows beyond it.
    const mib = Buffer.alloc(1024 * 1024, 7);
    const over = Math.ceil(WAL_SIZE_LIMIT_BYTES / mib.length) + 8;
    await db.tx(() => {
      const ins = db.db.prepare("INSERT INTO blob (b) VALUES (?)");
      for (let i = 0; i < over; i++) ins.run(mib);
    });
    expect(walBytes()).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
    const deadline = Date.now() + 10_000;
    while (walBytes() > WAL_SIZE_LIMIT_BYTES && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(walBytes()).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
    // Nothing was lost, and writing goes on.
    await db.tx(() => db.db.prepare("INSERT INTO blob (b) VALUES (x'01')").run());
    expect(db.db.prepare("SELECT count(*) AS n FROM blob").get()).toEqual({ n: over + 1 });
    await db.close();
    const again = new Database(file);
    expect(again.prepare("SELECT count(*) AS n FROM blob").get()).toEqual({ n: over + 1 });
    again.close();
    db = new SqliteDb(file);
  }, 30_000);

  it("commits an open batch on close", async () => {
    const file = join(dir, "db.sqlite");
    void db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (7)").run());
    await db.close();
    const again = new Database(file);
    expect(again.prepare("SELECT id FROM parent").all()).toEqual([{ id: 7 }]);
    again.close();
    db = new SqliteDb(file);
  });
});

describe("SqliteDb read batch", () => {
  let dir: string;
  let file: string;
  let db: SqliteDb;
  let other: Database.Database;
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const ids = (d: Database.Database) =>
    (d.prepare("SELECT id FROM parent ORDER BY id").all() as { id: number }[]).map((r) => r.id);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "scimgate-rb-"));
    file = join(dir, "db.sqlite");
    db = new SqliteDb(file);
    db.db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
    await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (1)").run());
    other = new Database(file);
  });
  afterEach(async () => {
    other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the reads of one turn on one snapshot, and ends it when the turn is over", async () => {
    const first = db.read(() => ids(db.db));
    expect(db.db.inTransaction).toBe(true);
    // Committed by another connection between two reads of the same turn: not seen until the next turn.
    other.prepare("INSERT INTO parent (id) VALUES (2)").run();
    const second = db.peek(() => ids(db.db));
    expect(await first).toEqual([1]);
    expect(second).toEqual([1]);
    await nextTurn();
    expect(db.db.inTransaction).toBe(false);
    expect(await db.read(() => ids(db.db))).toEqual([1, 2]);
  });

  it("ends the read batch when a write of the same turn needs the connection", async () => {
    const seen = db.read(() => ids(db.db));
    other.prepare("INSERT INTO parent (id) VALUES (2)").run();
    // The write must not run on the read's snapshot: it sees row 2, and its insert commits.
    const wrote = db.tx(() => {
      db.db.prepare("INSERT INTO parent (id) VALUES (3)").run();
      return ids(db.db);
    });
    expect(await seen).toEqual([1]);
    expect(await wrote).toEqual([1, 2, 3]);
    expect(ids(other)).toEqual([1, 2, 3]);
  });

  it("does not keep another connection from writing while it is open", async () => {
    const seen = db.read(() => ids(db.db));
    other.exec("BEGIN IMMEDIATE");
    other.prepare("INSERT INTO parent (id) VALUES (2)").run();
    other.exec("COMMIT");
    expect(await seen).toEqual([1]);
    await nextTurn();
    expect(await db.read(() => ids(db.db))).toEqual([1, 2]);
  });

  it("keeps a remembered value across turns until another connection commits", async () => {
    let loads = 0;
    const count = () =>
      db.remember("n", () => {
        loads++;
        return ids(db.db).length;
      });
    expect(count()).toBe(1);
    await nextTurn();
    expect(count()).toBe(1);
    expect(loads).toBe(1);
    // Another process or replica commits: the next turn's transaction sees a new data_version.
    other.prepare("INSERT INTO parent (id) VALUES (2)").run();
    expect(count()).toBe(1); // this turn's snapshot is still the old one
    await nextTurn();
    expect(count()).toBe(2);
    expect(loads).toBe(2);
  });

  it("forgets remembered values when its own write batch commits or fails", async () => {
    await db.tx(() =>
      db.db.exec("CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id))"),
    );
    let loads = 0;
    const count = (key: string) =>
      db.remember(key, () => {
        loads++;
        return ids(db.db).length;
      });
    expect(count("n")).toBe(1);
    await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (5)").run());
    expect(count("n")).toBe(2);
    expect(loads).toBe(2);
    // A batch whose COMMIT then fails (a deferred foreign key). Inside it, "n" is still the value from
    // before its own uncommitted write; "m", first loaded inside it, sees that write.
    const inside: number[] = [];
    const failing = db.tx(() => {
      db.db.prepare("INSERT INTO parent (id) VALUES (6)").run();
      inside.push(count("n"), count("m"));
      db.db.pragma("defer_foreign_keys = ON");
      db.db.prepare("INSERT INTO child (id, p) VALUES (1, 99)").run();
    });
    await expect(failing).rejects.toThrow(StoreError);
    expect(inside).toEqual([2, 3]);
    // Both are loaded again: nothing of the failed batch is remembered.
    expect([count("n"), count("m")]).toEqual([2, 2]);
    expect(loads).toBe(5);
  });

  it("keeps the connection usable after a read that fails", async () => {
    await expect(db.read(() => db.db.prepare("SELECT * FROM missing").all())).rejects.toThrow(
      /no such table/,
    );
    expect(await db.read(() => ids(db.db))).toEqual([1]);
    await nextTurn();
    expect(db.db.inTransaction).toBe(false);
    await db.tx(() => db.db.prepare("INSERT INTO parent (id) VALUES (4)").run());
    expect(ids(other)).toEqual([1, 4]);
  });
});
