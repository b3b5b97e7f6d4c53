import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../store.js";
import { Checkpointer, WAL_SIZE_LIMIT_BYTES } from "./sqlite-checkpointer.js";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.js";

/** Writes one group commit takes at most before it is committed early. */
const MAX_BATCH_WRITES = 256;

/**
 * SQLite's own checkpoint threshold when it checkpoints (pages of WAL): ~40 MB instead of ~4 MB, because
 * writes keep hitting the same hot pages (audit, index tails), so a longer window copies each page once for
 * many commits. Measured: initial sync about 15% faster on the bench.
 */
const AUTO_CHECKPOINT_PAGES = 10_000;

/**
 * The automatic checkpoint's threshold while the checkpointer thread does the work (512 MiB): well above the
 * thread's own restart point (256 MiB, see RESTART_FRAMES), which the WAL passes by up to ~40 MiB while a
 * RESTART waits for its turn during an initial sync.
 */
const BACKSTOP_CHECKPOINT_PAGES = 131_072;

/** Values `remember` keeps at most; past it they are all dropped (each is reloaded on its next use). */
const MEMO_MAX = 1000;

/** How long a write waits for another connection's write lock before it answers 503. */
const LOCK_WAIT_MS = 5000;

/** The open group commit: one IMMEDIATE transaction that the writes of one event-loop turn share. */
interface Batch {
  readonly committed: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  writes: number;
  /** The tenants whose users and groups the batch wrote; `all` when a write was not tenant-scoped. */
  readonly scopes: Set<string>;
  all: boolean;
}

/**
 * A better-sqlite3 connection with a prepared-statement cache and group commit.
 *
 * Each write (`tx`) runs in its own SAVEPOINT — atomic and isolated: a failed write is rolled back alone
 * and nothing of it is kept — inside one IMMEDIATE transaction that every write of the same event-loop
 * turn shares. That transaction commits once the turn's I/O callbacks have run (`setImmediate`) or after
 * MAX_BATCH_WRITES writes, and only then does any of those writes (or any read that ran while it was open,
 * see `read`) answer: nothing is acknowledged before it is committed. One COMMIT (its WAL append) for many
 * writes is what lets concurrent Entra traffic through at several times the rate of one commit each.
 * A failed COMMIT fails every write of the batch with `unavailable` (503): none of them was applied.
 *
 * Reads share transactions the same way: a read outside a write batch opens a read transaction (a
 * deferred `BEGIN`) that the other reads of the same event-loop turn join and that ends at `setImmediate`,
 * or as soon as a write needs the connection. In WAL mode every transaction of its own costs a reader
 * about 10 µs here (file and WAL-index locks, each a system call) — as much as the indexed lookup in it,
 * and an authenticated lookup is two reads (the key row, then the query). The reads of one turn see one
 * snapshot: the database as it was when the turn's first read ran.
 */
export class SqliteDb {
  readonly db: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  private batch: Batch | undefined;
  /** Whether the connection's open transaction is a read batch (see `joinRead`). */
  private reading = false;
  /** Values derived from the database (see `remember`); emptied whenever the database may have changed. */
  private readonly memo = new Map<string, unknown>();
  /** `PRAGMA data_version` when `memo` was last known current; whether the open transaction checked it. */
  private dataVersion: unknown;
  private versionChecked = false;
  private readonly checkpointer: Checkpointer | undefined;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    // Each write runs in its own SAVEPOINT (group commit); SQLite journals the pages a savepoint changes in
    // a sub-journal that spills to a temporary file past 64 KiB, opened, written, unlinked and closed once
    // per batch (~60 times a second in an initial sync; open/close/unlink ~5% of the server's time, its
    // pwrites more). In memory it is truncated at each RELEASE. A 30k-user sync, A/B: 17.4-19.3 s -> 14.5-15.4 s.
    // Deep pages sort keys only (see buildListSql), so temporary sort b-trees stay small in memory too.
    this.db.pragma("temp_store = MEMORY");
    // Readers wait for a lock inside SQLite (rare in WAL mode); a writer never does: it takes the write lock
    // with BEGIN IMMEDIATE at busy_timeout 0 and waits between attempts without blocking the event loop
    // (see lockForWrite), so a batch open on another connection of this process can still commit.
    this.db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
    // Checkpoints run on a worker thread (see Checkpointer); the automatic checkpoint stays as a backstop
    // at 512 MiB of WAL, and takes over at ~40 MB if that thread fails.
    if (file !== ":memory:") {
      // This connection never cuts the WAL file back: with a size limit, the first commit after the WAL
      // starts over truncates the file on the event loop, and right after the checkpointer's RESTART (whose
      // fsync of the database file the truncation then waits behind) that took 88-90 ms at 1M users, every
      // request stalled (fourteenth session, timed with an LD_PRELOAD shim). The file is overwritten from
      // its beginning instead, and the checkpointer truncates it once writes pause (see Checkpointer).
      this.db.pragma("journal_size_limit = -1");
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      this.checkpointer = new Checkpointer(file, () => {
        if (!this.db.open) return;
        // Without the thread this connection checkpoints, and cuts the WAL back when it starts over.
        this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
        this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      });
    } else {
      this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    }
    // JavaScript's case folding, so SQL comparisons agree with the lower-cased index columns.
    this.db.function("scim_lower", { deterministic: true }, (s: unknown) =>
      typeof s === "string" ? s.toLowerCase() : s,
    );
  }

  /** A cached prepared statement. */
  stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `fn` as one atomic write in the current group commit and resolves (or rejects with its error)
   * once that commit is durable. `fn` runs synchronously, before any other request's code. `scope`: the
   * tenant whose users and groups alone `fn` writes (see `read`); without it, the write is unscoped.
   */
  async tx<T>(fn: () => T, scope?: string): Promise<T> {
    // Synchronous unless another connection holds the write lock: `fn` then runs before this call returns.
    const batch = this.batch ?? (this.tryBegin() ? this.newBatch() : await this.lockForWrite());
    let result: T | undefined;
    let failure: unknown;
    let failed = false;
    this.stmt("SAVEPOINT write").run();
    try {
      result = fn();
      this.stmt("RELEASE write").run();
    } catch (err) {
      failed = true;
      failure = translate(err);
      this.undoWrite(batch, err);
    }
    batch.writes++;
    if (scope === undefined) batch.all = true;
    else batch.scopes.add(scope);
    if (batch.writes >= MAX_BATCH_WRITES) this.commit();
    // An error answer waits too: it may rest on another write of this batch (a 409 on a userName taken
    // a moment ago), which must not be reported if that write is never committed.
    await batch.committed;
    if (failed) throw failure;
    return result as T;
  }

  /**
   * Runs a read now and answers once the open group commit (if any) is durable: the read may have seen
   * that batch's writes, and must not report them before they are committed. A read confined to one
   * tenant's users and groups (`scope`) waits only if the batch wrote that tenant's or unscoped data, so
   * one tenant's writes do not delay another tenant's lookups.
   */
  async read<T>(fn: () => T, scope?: string): Promise<T> {
    let result: T;
    try {
      this.joinRead();
      result = fn();
    } catch (err) {
      throw translate(err);
    }
    const b = this.batch;
    if (b && (scope === undefined || b.all || b.scopes.has(scope))) await b.committed;
    return result;
  }

  /**
   * Runs a read now and answers at once, even while a batch is open: only for reads whose result is never
   * shown to a client (the access-key check). A key created in an open batch cannot be presented yet (its
   * token is answered after the commit), and one revoked there is refused a moment early.
   */
  peek<T>(fn: () => T): T {
    try {
      this.joinRead();
      return fn();
    } catch (err) {
      throw translate(err);
    }
  }

  /**
   * `load()`'s value (run as `peek` runs its read), kept until the database may have changed: until this
   * connection's write batch ends (committed or rolled back), or until one of its transactions starts
   * after another connection (another process or replica on the same file) committed, which `PRAGMA
   * data_version` tells. Inside an open write batch a kept value may predate that batch's own writes,
   * which are not committed yet: only for values where that is right, like a key's state for
   * authentication (a key revoked in the open batch is refused once the revocation is committed). The
   * caller must not modify a value it gets.
   */
  remember<T>(key: string, load: () => T): T {
    return this.peek(() => {
      if (!this.versionChecked) {
        this.versionChecked = true;
        const v = this.stmt("PRAGMA data_version").pluck().get();
        if (v !== this.dataVersion) {
          this.dataVersion = v;
          this.memo.clear();
        }
      }
      if (this.memo.has(key)) return this.memo.get(key) as T;
      const value = load();
      if (this.memo.size >= MEMO_MAX) this.memo.clear();
      this.memo.set(key, value);
      return value;
    });
  }

  /**
   * Makes the next statements run in a transaction: the open write batch or read batch, else a new read
   * batch that ends at `setImmediate` (or when a write needs the connection, see `endRead`).
   */
  private joinRead(): void {
    if (this.db.inTransaction) return;
    this.stmt("BEGIN").run();
    this.versionChecked = false;
    this.reading = true;
    setImmediate(() => this.endRead());
  }

  /**
   * Ends the open read batch, if any. Its reads have all run and answer without waiting for it; ending it
   * is what lets a write take the connection, and what lets the next turn see other connections' commits.
   */
  endRead(): void {
    if (!this.reading) return;
    this.reading = false;
    // SQLite ends a transaction by itself after some errors (SQLITE_BUSY, out of memory, I/O errors).
    if (!this.db.inTransaction) return;
    try {
      this.stmt("COMMIT").run();
    } catch {
      // A read transaction has nothing to keep: if its COMMIT fails, it is rolled back instead.
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // Already ended.
      }
    }
  }

  /**
   * Opens a batch, waiting (asynchronously, with growing pauses) while another connection holds the write
   * lock; `unavailable` after LOCK_WAIT_MS. Returns the batch another write of this connection opened in
   * the meantime, if one did: the caller runs its write at once, with no await in between.
   */
  private async lockForWrite(): Promise<Batch> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      if (this.batch) return this.batch;
      if (this.tryBegin()) return this.newBatch();
      if (Date.now() >= deadline) throw new StoreError("unavailable", "the database is busy");
      await new Promise((r) => setTimeout(r, Math.min(50, 1 + attempt) * (0.5 + Math.random())));
    }
  }

  /**
   * BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. An open read
   * batch is ended first: a write must not run on that batch's snapshot.
   */
  private tryBegin(): boolean {
    this.endRead();
    this.stmt("PRAGMA busy_timeout = 0").get();
    try {
      this.stmt("BEGIN IMMEDIATE").run();
      this.versionChecked = false;
      return true;
    } catch (err) {
      const e = translate(err);
      if (e instanceof StoreError && e.code === "unavailable") return false;
      throw e;
    } finally {
      this.stmt(`PRAGMA busy_timeout = ${LOCK_WAIT_MS}`).get();
    }
  }

  private newBatch(): Batch {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Every write and read of the batch awaits `committed`; this only keeps a failure of a batch whose
    // awaiters have all gone from surfacing as an unhandled rejection.
    committed.catch(() => undefined);
    const batch: Batch = { committed, resolve, reject, writes: 0, scopes: new Set(), all: false };
    this.batch = batch;
    setImmediate(() => {
      if (this.batch === batch) this.commit();
    });
    return batch;
  }

  /** Rolls back a failed write to its savepoint; if SQLite rolled back the whole batch, fails the batch. */
  private undoWrite(batch: Batch, cause: unknown): void {
    if (this.db.inTransaction) {
      try {
        this.stmt("ROLLBACK TO write").run();
        this.stmt("RELEASE write").run();
        return;
      } catch {
        // Fall through: the transaction is in no state to go on.
      }
    }
    this.abort(batch, cause);
  }

  /** Commits the open batch, if any. */
  private commit(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    // Whether it commits or fails, the batch's writes may have changed what `remember` kept.
    this.memo.clear();
    try {
      this.stmt("COMMIT").run();
      batch.resolve();
    } catch (err) {
      this.abort(batch, err);
    }
  }

  /** Rolls the whole batch back and fails every write and read waiting on it with `unavailable`. */
  private abort(batch: Batch, cause: unknown): void {
    if (this.batch === batch) this.batch = undefined;
    this.memo.clear();
    if (this.db.inTransaction) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // Nothing more to undo.
      }
    }
    const detail = cause instanceof Error ? `: ${cause.message}` : "";
    batch.reject(new StoreError("unavailable", `the database could not commit the write${detail}`));
  }

  /** Commits any open batch, stops the checkpointer and closes the connection. */
  async close(): Promise<void> {
    this.endRead();
    this.commit();
    await this.checkpointer?.stop();
    this.db.close();
  }
}

const UNIQUE_INDEX_ATTRIBUTE: Record<string, string> = {
  "users.user_name_lc": "userName",
  "groups.display_name_lc": "displayName",
  "tenants.name": "name",
  "roles.name": "name",
};

/** Maps better-sqlite3 errors to StoreError; anything else passes through. */
export function translate(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  if (err.code === "SQLITE_CONSTRAINT_UNIQUE" || err.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const cols = /UNIQUE constraint failed: (.*)$/.exec(err.message)?.[1] ?? "";
    const attr = Object.entries(UNIQUE_INDEX_ATTRIBUTE).find(([k]) => cols.includes(k))?.[1];
    return new StoreError("conflict", `${attr ?? "value"} is already taken`, attr);
  }
  if (err.code === "SQLITE_BUSY" || err.code === "SQLITE_LOCKED") {
    return new StoreError("unavailable", "the database is busy");
  }
  return err;
}

/** Applies pending migrations in order; safe when several processes start at once (IMMEDIATE lock). */
export async function migrateSqlite(db: SqliteDb): Promise<number[]> {
  db.db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const applied: number[] = [];
  for (const m of SQLITE_MIGRATIONS) {
    // Only outside a transaction does this pragma take effect; no batch is open between awaited writes.
    if (m.rebuildsTables) {
      db.endRead();
      db.db.pragma("foreign_keys = OFF");
      if (db.db.pragma("foreign_keys", { simple: true }) !== 0) {
        throw new Error(`migration ${m.version}: foreign keys could not be turned off`);
      }
      // Rebuilding a table sorts every row of it for each index it creates. In memory (the serving
      // setting, see the constructor) that peaked at 760 MB for migration 5 on a 1M-user directory.
      db.db.pragma("temp_store = FILE");
    }
    try {
      await db.tx(() => {
        const done = db.stmt("SELECT 1 FROM schema_migrations WHERE version = ?").get(m.version);
        if (done) return;
        db.db.exec(m.sql);
        if (m.rebuildsTables) {
          const broken = db.db.pragma("foreign_key_check") as unknown[];
          if (broken.length > 0) {
            throw new Error(`migration ${m.version} would break ${broken.length} foreign key(s)`);
          }
        }
        db.stmt("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
          m.version,
          m.name,
          new Date().toISOString(),
        );
        applied.push(m.version);
      });
    } finally {
      if (m.rebuildsTables) {
        db.db.pragma("foreign_keys = ON");
        db.db.pragma("temp_store = MEMORY");
      }
    }
  }
  return applied;
}
