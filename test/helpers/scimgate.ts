import { type RunningService, startService, systemAudit } from "../../src/main.js";
import { BACKENDS, type TestBackend } from "./backends.js";

/** A scimgate started in this process on a fresh SQLite file, with one tenant and its Secret Token. */
export interface TestScimgate {
  /** Tenant URL, e.g. `http://127.0.0.1:PORT/scim/v2`. */
  readonly url: string;
  /** Secret Token of the test tenant. */
  readonly token: string;
  readonly tenantId: string;
  readonly service: RunningService;
  /** The database it runs on (for a second connection to it: another replica, or a CLI run). */
  readonly databaseUrl: string;
  /** Creates another tenant and returns its id and token. */
  addTenant(name: string): Promise<{ tenantId: string; token: string }>;
  close(): Promise<void>;
}

/**
 * Starts an isolated scimgate for a test file (call `close` in afterAll): a fresh SQLite file by default,
 * or a fresh database of `backend` (see test/helpers/backends.ts).
 */
export async function startScimgate(opts: { backend?: TestBackend } = {}): Promise<TestScimgate> {
  const db = await (opts.backend ?? BACKENDS[0]!).create();
  const service = await startService({
    databaseUrl: db.url,
    port: 0,
    host: "127.0.0.1",
    logger: false,
  });
  const addTenant = async (name: string) => {
    const t = await service.tenancy.createTenant(name, false, systemAudit("create", "Tenant", name));
    const k = await service.tenancy.createKey("tenant", t.id, {}, systemAudit("create", "AccessKey", name));
    return { tenantId: t.id, token: k.token };
  };
  const first = await addTenant("test");
  return {
    url: service.scimUrl,
    token: first.token,
    tenantId: first.tenantId,
    service,
    databaseUrl: db.url,
    addTenant,
    close: async () => {
      await service.close();
      await db.drop();
    },
  };
}
