import { ComposedStore } from "../composed-store.js";
import {
  createPgPool,
  DEFAULT_RETRY,
  migratePostgres,
  PgDb,
  type PgPool,
  type PgSettings,
  type RetryPolicy,
  StatementNames,
} from "./postgres-db.js";
import { PostgresResources } from "./postgres-resources.js";
import { PostgresTenants } from "./postgres-tenants.js";

/** Defaults when no ServiceConfig is at hand (tests, tools): the same as config.ts's. */
export const DEFAULT_PG_SETTINGS: PgSettings = {
  poolSize: 10,
  statementTimeoutMs: 15_000,
  ssl: "disable",
  preparedStatements: true,
};

/** Test seams of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** Use this pool instead of one built from the URL (tests wrap a real pool to inject faults). */
  readonly pool?: PgPool;
  readonly retry?: RetryPolicy;
  /** Prepared-statement names (tests set a small bound); ignored when `settings.preparedStatements` is off. */
  readonly statementNames?: StatementNames;
}

/** The PostgreSQL store: a connection pool shared by any number of scimgate replicas on one database. */
export class PostgresStore extends ComposedStore {
  /** Use `openPostgresStore`, which migrates first. */
  constructor(
    private readonly db: PgDb,
    /** Versions of the migrations this start applied (empty when the schema was current). */
    readonly appliedMigrations: readonly number[],
  ) {
    super(new PostgresResources(db), new PostgresTenants(db));
  }

  override async close(): Promise<void> {
    await this.db.close();
  }
}

/** Connects to `url` (postgres://…), applies pending migrations under an advisory lock, returns the store. */
export async function openPostgresStore(
  url: string,
  settings: PgSettings = DEFAULT_PG_SETTINGS,
  opts: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const pool = opts.pool ?? createPgPool(url, settings);
  try {
    const applied = await migratePostgres(pool);
    const names = settings.preparedStatements ? (opts.statementNames ?? new StatementNames()) : undefined;
    return new PostgresStore(new PgDb(pool, opts.retry ?? DEFAULT_RETRY, names), applied);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
