import { ComposedStore } from "../composed-store.js";
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
export class SqliteStore extends ComposedStore {
  private readonly db: SqliteDb;

  constructor(url: string) {
    const db = new SqliteDb(sqliteFilename(url));
    migrateSqlite(db);
    ensurePlannerStats(db.db);
    super(new SqliteResources(db), new SqliteTenants(db));
    this.db = db;
  }

  override async close(): Promise<void> {
    this.db.close();
  }
}
