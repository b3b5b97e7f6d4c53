import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningService, startService, systemAudit } from "../../src/main.js";

/** A scimgate started in this process on a fresh SQLite file, with one tenant and its Secret Token. */
export interface TestScimgate {
  /** Tenant URL, e.g. `http://127.0.0.1:PORT/scim/v2`. */
  readonly url: string;
  /** Secret Token of the test tenant. */
  readonly token: string;
  readonly tenantId: string;
  readonly service: RunningService;
  /** Creates another tenant and returns its id and token. */
  addTenant(name: string): Promise<{ tenantId: string; token: string }>;
  close(): Promise<void>;
}

/** Starts an isolated scimgate for a test file (call `close` in afterAll). */
export async function startScimgate(opts: { databaseUrl?: string } = {}): Promise<TestScimgate> {
  const dir = mkdtempSync(join(tmpdir(), "scimgate-test-"));
  const service = await startService({
    databaseUrl: opts.databaseUrl ?? `sqlite:${join(dir, "scimgate.db")}`,
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
    addTenant,
    close: async () => {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
