import type pg from "pg";
import type { PgClient, PgPool, PgQuery } from "../../src/store/postgres/postgres-db.js";

/**
 * Sees every statement before a real pool runs it (and may do its own work first, awaited); throwing from it
 * makes that statement fail.
 */
export type QueryHook = (sql: string, params: readonly unknown[]) => void | Promise<void>;

/**
 * A real pg pool behind the store's PgPool seam, with a hook on each statement: tests record the SQL
 * the store really runs (for EXPLAIN) or inject transient failures at a chosen statement.
 */
export function wrapPool(pool: pg.Pool, hook: QueryHook): PgPool {
  return {
    connect: async (): Promise<PgClient> => {
      const client = await pool.connect();
      return {
        query: async (q: string | PgQuery, params?: unknown[]) => {
          if (typeof q === "string") {
            await hook(q, params ?? []);
            return client.query(q, params);
          }
          await hook(q.text, q.values);
          return client.query(q);
        },
        release: (err?: Error | boolean) => client.release(err),
        on: (event, listener) => client.on(event, listener),
        removeListener: (event, listener) => client.removeListener(event, listener),
      };
    },
    end: () => pool.end(),
  };
}

/** An error shaped like the one node-postgres raises for SQLSTATE `code` (or a socket error code). */
export function pgError(code: string, message = `injected ${code}`): Error {
  return Object.assign(new Error(message), { code });
}
