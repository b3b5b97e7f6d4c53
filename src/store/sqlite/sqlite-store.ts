import type { Store } from "../store.js";
import { migrateSqlite, SqliteDb } from "./sqlite-db.js";
import { SqliteResources } from "./sqlite-resources.js";
import { ensurePlannerStats } from "./sqlite-stats.js";
import { SqliteTenants } from "./sqlite-tenants.js";

/** Turns `sqlite:./data/x.db`, `file:x.db`, a bare path or `:memory:` into a better-sqlite3 filename. */
export function sqliteFilename(url: string): string {
  if (url === ":memory:" || url === "sqlite::memory:") return ":memory:";
  if (url.startsWith("sqlite://")) return url.slice("sqlite://".length);
  if (url.startsWith("sqlite:")) return url.slice("sqlite:".length);
  if (url.startsWith("file:")) return url.slice("file:".length);
  return url;
}

/** The embedded SQLite store: one file, WAL, one process. */
export class SqliteStore implements Store {
  private readonly db: SqliteDb;
  private readonly r: SqliteResources;
  private readonly t: SqliteTenants;

  constructor(url: string) {
    this.db = new SqliteDb(sqliteFilename(url));
    migrateSqlite(this.db);
    ensurePlannerStats(this.db.db);
    this.r = new SqliteResources(this.db);
    this.t = new SqliteTenants(this.db);
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
    this.db.close();
  }
}
