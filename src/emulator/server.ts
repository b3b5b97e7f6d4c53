/**
 * "Entra in a box": a Microsoft Graph emulator under `/v1.0` with the synchronization API and a provisioning
 * engine that pushes to any SCIM endpoint (graph-synchronization.md §7 checklist).
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { EmulatorContext } from "./context.js";
import { type ControlPlane, registerControlRoutes } from "./control-routes.js";
import type { Directory } from "./directory.js";
import type { DirectoryFile } from "./directory-file.js";
import { seedDirectory } from "./directory-seed.js";
import { type CycleResult, type EngineOptions, ProvisioningEngine } from "./engine/engine.js";
import {
  badRequest,
  buildGraphErrorBody,
  buildThrottleBody,
  GraphError,
  type RequestIds,
} from "./graph-errors.js";
import { GraphRequestValidator } from "./openapi-validator.js";
import { GraphRouter } from "./router.js";
import { buildApplicationRoutes } from "./routes/application-routes.js";
import { buildAssignmentRoutes } from "./routes/assignment-routes.js";
import { buildAuditRoutes } from "./routes/audit-routes.js";
import { buildDirectoryRoutes } from "./routes/directory-routes.js";
import { buildSyncRoutes } from "./routes/sync-routes.js";
import { EmulatorState } from "./state.js";
import type { SyncLagOptions } from "./sync-lag.js";
import { type ThrottleOptions, Throttler } from "./throttle.js";

/** Options of {@link startGraphEmulator}. */
export interface GraphEmulatorOptions {
  /** TCP port; 0 (default) picks an ephemeral port. */
  port?: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Directory seed: a parsed directory file (users, groups, assignments). */
  directory?: DirectoryFile;
  /** New objects answer 404 for this many ms after creation (§2.3). Default 0. */
  consistencyDelayMs?: number;
  /** Sync-backend lag (§2.3, inferred): empty templates, transient 409/403/401 on job create and secrets PUT, stale secret reads. Default none. */
  syncLag?: SyncLagOptions;
  /** Throttling fault injection (§2.4): `true` for defaults, or settings. Default off. */
  throttling?: boolean | ThrottleOptions;
  /** Require an `Authorization: Bearer …` header (any token is accepted). Default true. */
  requireAuth?: boolean;
  /** fetch for outbound SCIM calls. Default global fetch. */
  fetch?: typeof fetch;
  /** A pino logger, or false (default) for none. */
  logger?: Logger | false;
  /** Clock in ms since epoch, for eventual-consistency and throttling tests. Default Date.now. */
  now?: () => number;
  /** Tenant id. Default a fresh GUID. */
  tenantId?: string;
  /** Engine settings (timeouts, member batch size, quarantine thresholds, auto-run). */
  engine?: Omit<EngineOptions, "fetch" | "logger">;
}

/** A running emulator. */
export interface GraphEmulator {
  /** Server origin, e.g. `http://127.0.0.1:54321`; the Graph base is `${url}/v1.0`. */
  readonly url: string;
  /** `${url}/v1.0`. */
  readonly graphUrl: string;
  readonly state: EmulatorState;
  readonly directory: Directory;
  readonly engine: ProvisioningEngine;
  /** Runs one provisioning cycle of an active job now. */
  runCycle(servicePrincipalId: string, jobId: string): Promise<CycleResult>;
  /** Resolves when every cycle started by start/restart has finished. */
  whenIdle(): Promise<void>;
  /** Answers the next `count` Graph requests with 429 + Retry-After. */
  throttleNext(count: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

function requestIds(request: FastifyRequest): RequestIds {
  const client = request.headers["client-request-id"];
  const requestId = randomUUID();
  return { requestId, clientRequestId: typeof client === "string" ? client : requestId };
}

function sendError(reply: FastifyReply, ids: RequestIds, error: GraphError): FastifyReply {
  return reply
    .status(error.status)
    .headers(error.headers)
    .send(buildGraphErrorBody(error.code, error.message, ids));
}

function parseJsonBody(
  _req: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
): void {
  if (body.trim() === "") {
    done(null, undefined);
    return;
  }
  try {
    done(null, JSON.parse(body));
  } catch {
    done(
      badRequest(
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      ),
    );
  }
}

function checkAuth(request: FastifyRequest): void {
  const header = request.headers.authorization;
  if (typeof header !== "string" || !/^Bearer\s+\S+/i.test(header)) {
    throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", {
      "www-authenticate":
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
    });
  }
}

interface Pipeline {
  router: GraphRouter;
  validator: GraphRequestValidator;
  throttler: Throttler;
  requireAuth: boolean;
}

async function handle(p: Pipeline, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const ids = requestIds(request);
  reply.header("request-id", ids.requestId).header("client-request-id", ids.clientRequestId);
  try {
    if (p.requireAuth) checkAuth(request);
    const [rawPath = "", rawQuery = ""] = request.url.split("?", 2);
    const path = rawPath.replace(/^\/v1\.0/i, "") || "/";
    const retryAfter = p.throttler.check(/\/provisionOnDemand$/i.test(path));
    if (retryAfter !== undefined)
      return reply.status(429).header("retry-after", String(retryAfter)).send(buildThrottleBody(ids));
    const { route, params } = p.router.match(request.method, path);
    if (route.validate !== false && ["POST", "PUT", "PATCH"].includes(route.method)) {
      const check = p.validator.validate(route.method, route.template, request.body);
      if (!check.ok) throw badRequest(check.message);
    }
    const query = Object.fromEntries(new URLSearchParams(rawQuery));
    const result = await route.handler({ params, query, body: request.body, url: request.url });
    reply.status(result.status).headers(result.headers ?? {});
    return result.body === undefined ? reply.send() : reply.send(result.body);
  } catch (error) {
    if (error instanceof GraphError) return sendError(reply, ids, error);
    request.log.error({ err: error }, "unhandled emulator error");
    return sendError(
      reply,
      ids,
      new GraphError(500, "generalException", "An unexpected error occurred in the emulator."),
    );
  }
}

function buildApp(pipeline: Pipeline, logger: Logger | false, control: ControlPlane): FastifyInstance {
  // Fastify's own failures (e.g. a malformed URL) are answered in Graph's envelope too.
  const frameworkErrors = (error: Error, request: FastifyRequest, reply: FastifyReply) =>
    sendError(
      reply,
      requestIds(request),
      badRequest(`The request URL or headers are invalid: ${error.message}`),
    );
  const base = { frameworkErrors };
  const app = (logger
    ? Fastify({ ...base, loggerInstance: logger })
    : Fastify({ ...base, logger: false })) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, parseJsonBody);
  app.all("/v1.0/*", (request, reply) => handle(pipeline, request, reply));
  app.all("/v1.0", (request, reply) => handle(pipeline, request, reply));
  registerControlRoutes(app, control);
  app.setNotFoundHandler((request, reply) => {
    const ids = requestIds(request);
    return sendError(
      reply,
      ids,
      new GraphError(400, "BadRequest", "Invalid version: the emulator serves /v1.0 only."),
    );
  });
  app.setErrorHandler((error, request, reply) => {
    const ids = requestIds(request);
    if (error instanceof GraphError) return sendError(reply, ids, error);
    return sendError(reply, ids, badRequest(error instanceof Error ? error.message : "Bad request."));
  });

  return app;
}

function createContext(opts: GraphEmulatorOptions, logger: Logger | false) {
  const now = opts.now ?? Date.now;
  const state = new EmulatorState(now, opts.tenantId);
  const engine = new ProvisioningEngine(state, {
    ...opts.engine,
    fetch: opts.fetch,
    logger: logger || undefined,
  });
  const holder = { graphUrl: "" };
  const ctx: EmulatorContext = {
    state,
    engine,
    consistencyDelayMs: opts.consistencyDelayMs ?? 0,
    syncLag: opts.syncLag,
    graphUrl: () => holder.graphUrl,
  };
  const seed = opts.directory ? seedDirectory(ctx, opts.directory) : undefined;
  return { ctx, holder, seed };
}

function createRouter(ctx: EmulatorContext): GraphRouter {
  const router = new GraphRouter();
  router.add([
    ...buildApplicationRoutes(ctx),
    ...buildAssignmentRoutes(ctx),
    ...buildDirectoryRoutes(ctx),
    ...buildSyncRoutes(ctx),
    ...buildAuditRoutes(ctx),
  ]);
  return router;
}

function originOf(app: FastifyInstance, opts: GraphEmulatorOptions): string {
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Starts the Graph emulator on an HTTP port and returns its handle. */
export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const logger = opts.logger ?? false;
  const { ctx, holder, seed } = createContext(opts, logger);
  const { state, engine } = ctx;
  const throttler = new Throttler(state.now, opts.throttling === true ? {} : opts.throttling || undefined);
  const validator = new GraphRequestValidator();
  const pipeline = { router: createRouter(ctx), validator, throttler, requireAuth: opts.requireAuth ?? true };
  const app = buildApp(pipeline, logger, { engine, seed, steps: opts.directory?.steps ?? [] });
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
  const url = originOf(app, opts);
  holder.graphUrl = `${url}/v1.0`;
  return {
    url,
    graphUrl: holder.graphUrl,
    state,
    directory: state.directory,
    engine,
    runCycle: (spId, jobId) => engine.runCycle(spId, jobId),
    whenIdle: () => engine.whenIdle(),
    throttleNext: (count, retryAfter) => throttler.throttleNext(count, retryAfter),
    close: async () => {
      await engine.whenIdle();
      await app.close();
    },
  };
}
