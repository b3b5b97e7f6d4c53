import { ComposedStore } from "../composed-store.js";
import type { AccessKey } from "../store.js";
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
  private readonly tenants: SqliteTenants;

  private constructor(
    private readonly db: SqliteDb,
    /** The migrations this open applied (empty when the schema was up to date). */
    readonly appliedMigrations: readonly number[],
    tenants = new SqliteTenants(db),
  ) {
    super(new SqliteResources(db), tenants);
    this.tenants = tenants;
  }

  authKeySync(id: string): AccessKey | undefined {
    return this.tenants.authKeySync(id);
  }

  /** Opens (creating if need be) and migrates the database at `url`. */
  static async open(url: string): Promise<SqliteStore> {
    const db = new SqliteDb(sqliteFilename(url));
    let applied: number[];
    try {
      applied = await migrateSqlite(db);
      await ensurePlannerStats(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new SqliteStore(db, applied);
  }

  override async close(): Promise<void> {
    await this.db.close();
  }
}
