import pg from "pg";
import { StoreError } from "../store.js";
import {
  classifyPgError,
  isAmbiguousCommitFailure,
  isConnectionError,
  translatePgError,
} from "./postgres-errors.js";
import { POSTGRES_MIGRATIONS } from "./postgres-schema.js";

/** Connection settings from `ServiceConfig.pg`. */
export interface PgSettings {
  /** Most connections this process opens (1-200). */
  readonly poolSize: number;
  /** Server-side limit per statement, in milliseconds. */
  readonly statementTimeoutMs: number;
  /** TLS: off, encrypted without verification, or verified against the host name. */
  readonly ssl: "disable" | "require" | "verify-full";
  /**
   * Whether statements run as named prepared statements (parsed and planned once per connection). Off for a
   * connection pooler that cannot carry them between server connections (PgBouncer in transaction mode
   * before 1.21, or without `max_prepared_statements`).
   */
  readonly preparedStatements: boolean;
}

/** The result of one statement. */
export interface PgResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** A statement as node-postgres takes it; with `name`, a prepared statement of that name on the connection. */
export interface PgQuery {
  readonly text: string;
  readonly values: unknown[];
  readonly name?: string;
}

/** The slice of a pg client the store uses. */
export interface PgClient {
  query(sql: string, params?: unknown[]): Promise<PgResult>;
  query(q: PgQuery): Promise<PgResult>;
  /** Returns the client to the pool; pass the error to destroy a broken connection instead. */
  release(err?: Error | boolean): void;
  on?(event: "error", listener: (err: Error) => void): unknown;
  removeListener?(event: "error", listener: (err: Error) => void): unknown;
}

/** The slice of `pg.Pool` the store uses; tests wrap a real pool to inject transient failures. */
export interface PgPool {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}

/** How often a transaction is re-run after a transient failure. */
export interface RetryPolicy {
  /** Total attempts including the first (default 5). */
  readonly attempts: number;
  /** Upper bound of the first back-off in ms; doubles per attempt, full jitter (default 25). */
  readonly baseDelayMs: number;
}

/** The default retry policy: 5 attempts, jittered back-off from 25 ms (about 0.4 s worst case in all). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 25 };

/** Statements inside one transaction, with `?` placeholders. */
export interface Sql {
  rows<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  one<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** Runs a statement and returns the number of rows it touched. */
  exec(sql: string, params?: readonly unknown[]): Promise<number>;
}

const positionalCache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1…$n`, leaving quoted literals and identifiers alone. */
export function toPositional(sql: string): string {
  const cached = positionalCache.get(sql);
  if (cached !== undefined) return cached;
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else out += ch === "?" ? `$${++n}` : ch;
  }
  if (positionalCache.size > 1000) positionalCache.clear();
  positionalCache.set(sql, out);
  return out;
}

/** Distinct statements prepared at most, per pool: filters make SQL texts without bound, the server keeps each. */
export const MAX_PREPARED_STATEMENTS = 500;

/**
 * Names for prepared statements: one per distinct SQL text, the same on every connection of the pool
 * (node-postgres prepares a name on a connection the first time it runs there). Texts beyond
 * `max` run unnamed, parsed and planned each time as before.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly max: number = MAX_PREPARED_STATEMENTS) {}

  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined || this.names.size >= this.max) return known;
    const name = `scimgate_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }
}

function sqlOn(client: PgClient, names: StatementNames | undefined): Sql {
  const run = (sql: string, params: readonly unknown[] = []) => {
    const text = toPositional(sql);
    const name = names?.nameOf(text);
    return client.query(
      name === undefined ? { text, values: [...params] } : { name, text, values: [...params] },
    );
  };
  return {
    rows: async <R>(sql: string, params?: readonly unknown[]) => (await run(sql, params)).rows as R[],
    one: async <R>(sql: string, params?: readonly unknown[]) => (await run(sql, params)).rows[0] as R,
    exec: async (sql, params) => (await run(sql, params)).rowCount ?? 0,
  };
}

/** Marks a COMMIT whose outcome is unknown (the session died on it): re-running could apply it twice. */
class CommitUnknown extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pg pool with one-transaction-per-call and bounded retries of transient failures. */
export class PgDb {
  /**
   * @param names prepared-statement names, or undefined to run every statement unnamed (parsed and
   *   planned by the server each time). Prepared, a lookup's statement is planned once per connection:
   *   on this machine that cut PostgreSQL's own CPU per mix request by about a third.
   */
  constructor(
    readonly pool: PgPool,
    private readonly retry: RetryPolicy,
    private readonly names: StatementNames | undefined,
  ) {}

  /**
   * Runs `fn` in one READ COMMITTED transaction. Serialization failures, deadlocks and dropped
   * connections re-run the whole transaction (safe: nothing of a failed attempt committed, and a
   * DocChange is data, applied afresh to what each attempt reads); after `retry.attempts` the caller
   * gets StoreError "unavailable".
   */
  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withRetry(() => this.attempt(fn, true));
  }

  /**
   * Runs reads without BEGIN/COMMIT (two round trips fewer), retried like `tx`. Under READ COMMITTED each
   * statement sees its own snapshot inside a transaction too, so several reads lose nothing by it.
   */
  async read<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withRetry(() => this.attempt(fn, false));
  }

  /**
   * Runs `fn`, which issues exactly one statement, as that statement's own transaction (autocommit): a write
   * that fits in one statement (its other rows in data-modifying `WITH` items) is as atomic as in `tx`,
   * without the BEGIN and COMMIT round trips. Retried like `tx`, except when the connection fails while the
   * statement runs: it may have committed, so the caller gets StoreError "unavailable" and it is never
   * re-run, as with a COMMIT that failed that way. An error the server reports (a SQLSTATE) proves the
   * statement was rolled back.
   */
  async statement<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withRetry(() => this.attempt(fn, false, true));
  }

  private async withRetry<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        if (err instanceof CommitUnknown) {
          throw new StoreError("unavailable", "the database connection failed while committing");
        }
        if (classifyPgError(err) !== "retry" || attempt >= this.retry.attempts) throw translatePgError(err);
        await sleep(Math.random() * this.retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  private async attempt<T>(
    fn: (sql: Sql) => Promise<T>,
    transactional: boolean,
    committing = false,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no error listener; a connection dropped between two statements would
    // otherwise be an uncaught "error" event. Its next query then fails and the attempt is retried.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on?.("error", onError);
    try {
      if (transactional) await client.query("BEGIN");
      const result = await fn(sqlOn(client, this.names));
      if (transactional) {
        await client.query("COMMIT").catch((err: unknown) => {
          throw isAmbiguousCommitFailure(err) ? new CommitUnknown() : err;
        });
      }
      return result;
    } catch (err) {
      if (isConnectionError(err) || err instanceof CommitUnknown) broken = err as Error;
      else if (transactional) await client.query("ROLLBACK").catch((e: unknown) => (broken = e as Error));
      // A statement that commits on its own may have committed before its connection failed.
      if (committing && isConnectionError(err)) throw new CommitUnknown();
      throw err;
    } finally {
      client.removeListener?.("error", onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Opens a pg pool for `url` with the configured size, statement timeout and TLS. */
export function createPgPool(url: string, s: PgSettings): pg.Pool {
  // An sslmode in the URL takes precedence over PG_SSL (node-postgres lets the URL override options).
  const ssl = s.ssl === "disable" ? false : { rejectUnauthorized: s.ssl === "verify-full" };
  const pool = new pg.Pool({
    connectionString: url,
    max: s.poolSize,
    statement_timeout: s.statementTimeoutMs,
    // Between two statements of a transaction only in-memory work runs; a replica stalled there (paused
    // VM, blocked event loop) must not hold its row locks for longer than a statement may run.
    idle_in_transaction_session_timeout: s.statementTimeoutMs,
    connectionTimeoutMillis: 10_000,
    ssl,
    application_name: "scimgate",
    // Prepared statements are still planned for each run's own values, as unnamed ones are: preparing only
    // skips the parse. PostgreSQL may otherwise switch a statement to a generic plan after five runs, chosen
    // with the statistics of that moment; for a userName lookup on a nearly empty tenant (an initial sync's
    // start) that plan walks the tenant in creation order. 20k-user syncs, A/B: 38.0-44.8 s with custom
    // plans, 41.1-60.0 s with PostgreSQL's default.
    ...(s.preparedStatements ? { options: "-c plan_cache_mode=force_custom_plan" } : {}),
  });
  // An idle connection the server drops emits "error" on the pool; unhandled it would kill the process.
  // The pool already discards that client, and the next query gets a fresh one.
  pool.on("error", () => {});
  // A server-side termination (failover, pg_terminate_backend) can arrive in the same socket read as the
  // end of the handshake, before the caller got the client and could listen: without a listener from
  // birth that "error" event would kill the process. The client turns unqueryable; tx() retries.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

// One fixed key for "scimgate is migrating this database" (any constant works; it is per database).
const MIGRATION_LOCK_KEY = 0x5c16a7e;

/** Applies pending migrations under a session advisory lock, so replicas starting together wait their turn. */
export async function migratePostgres(pool: PgPool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    // Index builds on a big database can outlast the request statement timeout.
    await client.query("SET statement_timeout = 0");
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)",
    );
    const done = await client.query("SELECT version FROM schema_migrations");
    const have = new Set(done.rows.map((r) => Number(r.version)));
    for (const m of POSTGRES_MIGRATIONS) {
      if (have.has(m.version)) continue;
      await applyMigration(client, m);
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    // Destroyed rather than pooled: this session had its statement timeout switched off.
    client.release(true);
  }
}

async function applyMigration(client: PgClient, m: (typeof POSTGRES_MIGRATIONS)[number]): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(m.sql);
    await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
      m.version,
      m.name,
      new Date().toISOString(),
    ]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}
