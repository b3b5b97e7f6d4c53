import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Logger, pino } from "pino";
import { adminPlugin } from "./admin/routes.js";
import { AdminService } from "./admin/service.js";
import type { ServiceConfig } from "./config.js";
import { buildApp } from "./http/app.js";
import { openPostgresStore } from "./store/postgres/postgres-store.js";
import { SqliteStore } from "./store/sqlite/sqlite-store.js";
import { type AuditRecord, type Store, StoreError } from "./store/store.js";
import { Tenancy } from "./tenancy/tenancy.js";

/** Opens the store `DATABASE_URL` names; the one place that picks a backend. */
export async function openStore(databaseUrl: string, config?: Pick<ServiceConfig, "pg">): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return openPostgresStore(databaseUrl, config?.pg);
  return SqliteStore.open(databaseUrl);
}

/** An audit record for changes made from the CLI or at start-up (no key, no HTTP request). */
export function systemAudit(operation: string, resourceType: string, summary: string): AuditRecord {
  return {
    tenantId: null,
    keyId: null,
    requestId: `cli-${process.pid}-${Date.now()}`,
    operation,
    resourceType,
    resourceId: null,
    outcome: "success",
    summary,
  };
}

/** Prunes audit rows past the retention period now and then hourly. */
function startAuditPruning(store: Store, days: number, app: FastifyInstance): NodeJS.Timeout {
  const prune = () => {
    const before = new Date(Date.now() - days * 86_400_000).toISOString();
    store.pruneAudit(before).then(
      (n) => n > 0 && app.log.info({ pruned: n, before }, "audit retention"),
      (err: unknown) => app.log.error({ err }, "audit pruning failed"),
    );
  };
  prune();
  const timer = setInterval(prune, 3_600_000);
  timer.unref();
  return timer;
}

/** Options of an in-process scimgate. */
export interface ServiceOptions {
  readonly databaseUrl: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly publicUrl?: string;
  readonly tokenPepper?: string;
  readonly maxBodyBytes?: number;
  readonly logger?: Logger | false;
  /** On an empty database, create a `default` tenant and a key for it (what `scimgate serve` does). */
  readonly bootstrap?: boolean;
  /** Audit rows older than this many days are pruned hourly (default 90). */
  readonly auditRetentionDays?: number;
  readonly config?: ServiceConfig;
}

/** A running scimgate. */
export interface RunningService {
  /** e.g. `http://127.0.0.1:8080` */
  readonly url: string;
  /** The Tenant URL to give Entra: `url + "/scim/v2"`. */
  readonly scimUrl: string;
  readonly projectId: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly tenancy: Tenancy;
  readonly admin: AdminService;
  /** Set when this start created the `default` tenant: its id and Secret Token. */
  readonly bootstrap: { readonly tenantId: string; readonly token: string } | undefined;
  /** Issues a management key for the admin API and returns its token. */
  createAdminToken(): Promise<string>;
  close(): Promise<void>;
}

async function bootstrapDefaultTenant(store: Store, tenancy: Tenancy) {
  if ((await store.listTenants()).length > 0) return undefined;
  let tenant: Awaited<ReturnType<Tenancy["createTenant"]>>;
  try {
    tenant = await tenancy.createTenant(
      "default",
      false,
      systemAudit("create", "Tenant", "bootstrap tenant default"),
    );
  } catch (err) {
    // Replicas starting together on an empty database race here; the one that lost has nothing to do.
    if (err instanceof StoreError && err.code === "conflict") return undefined;
    throw err;
  }
  const key = await tenancy.createKey(
    "tenant",
    tenant.id,
    { description: "bootstrap key" },
    systemAudit("create", "AccessKey", "bootstrap key"),
  );
  return { tenantId: tenant.id, token: key.token };
}

/** Starts scimgate in this process: store, migrations, HTTP server. */
export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const store = await openStore(opts.databaseUrl, opts.config);
  const tenancy = await Tenancy.open(store, opts.tokenPepper);
  const bootstrap = opts.bootstrap ? await bootstrapDefaultTenant(store, tenancy) : undefined;
  const logger = opts.logger === undefined ? pino({ level: "info" }) : opts.logger;
  const admin = new AdminService(store, tenancy);
  const scimUrl = (req: FastifyRequest) => `${opts.publicUrl ?? `${req.protocol}://${req.host}`}/scim/v2`;
  const app = await buildApp({
    store,
    tenancy,
    publicUrl: opts.publicUrl,
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    logger,
    plugins: [adminPlugin({ service: admin, tenancy, scimUrl })],
  });
  const pruner = startAuditPruning(store, opts.auditRetentionDays ?? 90, app);
  const host = opts.host ?? "127.0.0.1";
  await app.listen({ port: opts.port ?? 0, host });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const url = opts.publicUrl ?? `http://${shownHost}:${port}`;
  return {
    url,
    scimUrl: `${url}/scim/v2`,
    projectId: tenancy.projectId,
    app,
    store,
    tenancy,
    admin,
    bootstrap,
    createAdminToken: async () =>
      (
        await tenancy.createKey(
          "management",
          null,
          { description: "admin" },
          systemAudit("create", "AccessKey", "admin key"),
        )
      ).token,
    close: async () => {
      clearInterval(pruner);
      await app.close();
      await store.close();
    },
  };
}
