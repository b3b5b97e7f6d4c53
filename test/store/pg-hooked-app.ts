import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp } from "../../src/http/app.js";
import { systemAudit } from "../../src/main.js";
import { createPgPool, type RetryPolicy } from "../../src/store/postgres/postgres-db.js";
import {
  DEFAULT_PG_SETTINGS,
  openPostgresStore,
  type PostgresStore,
} from "../../src/store/postgres/postgres-store.js";
import { Tenancy } from "../../src/tenancy/tenancy.js";
import type { TestDatabase } from "./databases.js";
import { type QueryHook, wrapPool } from "./pg-pool-wrapper.js";

/** The HTTP app on a PostgreSQL store whose every statement passes `hook` first, with one tenant and its key. */
export interface HookedPgApp {
  readonly store: PostgresStore;
  readonly app: FastifyInstance;
  readonly tenantId: string;
  readonly token: string;
  /** A SCIM request under /scim/v2 with the tenant's key. */
  request(method: "POST" | "PATCH" | "GET", url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function openHookedPgApp(
  db: TestDatabase,
  tenantName: string,
  hook: QueryHook,
  retry: RetryPolicy,
): Promise<HookedPgApp> {
  // createPgPool: its connections have an "error" listener from birth, so dropping the database at the end
  // cannot raise an unhandled "error" from a connection still closing.
  const pool = createPgPool(db.url, { ...DEFAULT_PG_SETTINGS, poolSize: 4 });
  const store = await openPostgresStore(db.url, DEFAULT_PG_SETTINGS, { pool: wrapPool(pool, hook), retry });
  const tenancy = await Tenancy.open(store);
  const tenantId = (await tenancy.createTenant(tenantName, false, systemAudit("create", "Tenant", ""))).id;
  const token = (await tenancy.createKey("tenant", tenantId, {}, systemAudit("create", "AccessKey", "")))
    .token;
  const app = await buildApp({ store, tenancy, publicUrl: undefined, maxBodyBytes: 1 << 20, logger: false });
  return {
    store,
    app,
    tenantId,
    token,
    request: (method, url, payload) =>
      app.inject({
        method,
        url: `/scim/v2${url}`,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      }),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
