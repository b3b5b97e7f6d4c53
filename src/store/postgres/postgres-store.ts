import type { Store } from "../store.js";
import {
  createPgPool,
  DEFAULT_RETRY,
  migratePostgres,
  PgDb,
  type PgPool,
  type PgSettings,
  type RetryPolicy,
} from "./postgres-db.js";
import { PostgresResources } from "./postgres-resources.js";
import { PostgresTenants } from "./postgres-tenants.js";

/** Defaults when no ServiceConfig is at hand (tests, tools): the same as config.ts's. */
export const DEFAULT_PG_SETTINGS: PgSettings = { poolSize: 10, statementTimeoutMs: 15_000, ssl: "disable" };

/** Test seams of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** Use this pool instead of one built from the URL (tests wrap a real pool to inject faults). */
  readonly pool?: PgPool;
  readonly retry?: RetryPolicy;
}

/** The PostgreSQL store: a connection pool shared by any number of scimgate replicas on one database. */
export class PostgresStore implements Store {
  private readonly r: PostgresResources;
  private readonly t: PostgresTenants;

  /** Use `openPostgresStore`, which migrates first. */
  constructor(
    private readonly db: PgDb,
    /** Versions of the migrations this start applied (empty when the schema was current). */
    readonly appliedMigrations: readonly number[],
  ) {
    this.r = new PostgresResources(db);
    this.t = new PostgresTenants(db);
  }

  createUser: Store["createUser"] = (...a) => this.r.createUser(...a);
  getUser: Store["getUser"] = (...a) => this.r.getUser(...a);
  listUsers: Store["listUsers"] = (...a) => this.r.listUsers(...a);
  updateUser: Store["updateUser"] = (...a) => this.r.updateUser(...a);
  deleteUser: Store["deleteUser"] = (...a) => this.r.deleteUser(...a);
  createGroup: Store["createGroup"] = (...a) => this.r.createGroup(...a);
  getGroup: Store["getGroup"] = (...a) => this.r.getGroup(...a);
  listGroups: Store["listGroups"] = (...a) => this.r.listGroups(...a);
  updateGroup: Store["updateGroup"] = (...a) => this.r.updateGroup(...a);
  deleteGroup: Store["deleteGroup"] = (...a) => this.r.deleteGroup(...a);

  createTenant: Store["createTenant"] = (...a) => this.t.createTenant(...a);
  getTenant: Store["getTenant"] = (...a) => this.t.getTenant(...a);
  listTenants: Store["listTenants"] = () => this.t.listTenants();
  updateTenant: Store["updateTenant"] = (...a) => this.t.updateTenant(...a);
  deleteTenant: Store["deleteTenant"] = (...a) => this.t.deleteTenant(...a);
  createKey: Store["createKey"] = (...a) => this.t.createKey(...a);
  getKey: Store["getKey"] = (...a) => this.t.getKey(...a);
  listKeys: Store["listKeys"] = (...a) => this.t.listKeys(...a);
  revokeKey: Store["revokeKey"] = (...a) => this.t.revokeKey(...a);
  touchKey: Store["touchKey"] = (...a) => this.t.touchKey(...a);
  getRoleConfig: Store["getRoleConfig"] = (...a) => this.t.getRoleConfig(...a);
  putRoleConfig: Store["putRoleConfig"] = (...a) => this.t.putRoleConfig(...a);
  getOrInitMeta: Store["getOrInitMeta"] = (...a) => this.t.getOrInitMeta(...a);
  appendAudit: Store["appendAudit"] = (...a) => this.t.appendAudit(...a);
  queryAudit: Store["queryAudit"] = (...a) => this.t.queryAudit(...a);
  pruneAudit: Store["pruneAudit"] = (...a) => this.t.pruneAudit(...a);

  async close(): Promise<void> {
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
    return new PostgresStore(new PgDb(pool, opts.retry ?? DEFAULT_RETRY), applied);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
