import { randomUUID } from "node:crypto";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import {
  buildServiceProviderConfig,
  discoveryList,
  RESOURCE_TYPES,
  renderResourceType,
  renderSchema,
  SCHEMAS,
} from "../scim/discovery.js";
import { SCIMError } from "../scim/errors.js";
import { MAX_FILTER_LENGTH } from "../scim/filter/ast.js";
import { MAX_PAGE_SIZE } from "../scim/list-params.js";
import { MAX_PATCH_OPERATIONS } from "../scim/patch/index.js";
import type { Store } from "../store/store.js";
import type { Tenancy } from "../tenancy/tenancy.js";
import { requireKey } from "./auth.js";
import { installSCIMErrorHandling, SCIM_MEDIA_TYPE } from "./errors.js";
import { registerSCIMRoutes } from "./scim-routes.js";
import { TurnFlush } from "./turn-flush.js";

/** What the HTTP app is built from. */
export interface AppDeps {
  readonly store: Store;
  readonly tenancy: Tenancy;
  readonly publicUrl: string | undefined;
  /** Largest request body accepted, in bytes (413 beyond). */
  readonly maxBodyBytes: number;
  /** A pino logger, or false for none (tests). */
  readonly logger: Logger | false;
  /** Extra route plugins mounted at the root (the admin API). */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void> | void)[];
}

/** The SCIM base path (Descope-style: one URL for every tenant; the key picks the tenant). */
export const SCIM_PREFIX = "/scim/v2";

function parseJsonBody(
  _req: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
): void {
  // DELETE and GET may carry a Content-Type with no body; an empty body is no body.
  if (body.trim() === "") {
    done(null, undefined);
    return;
  }
  try {
    done(null, JSON.parse(body));
  } catch (err) {
    done(
      new SCIMError(400, "invalidSyntax", `the request body is not valid JSON: ${(err as Error).message}`),
    );
  }
}

/** One access-log line per request; the path only, as query strings carry filter values (user names, e-mail addresses). */
function logRequest(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  req.log.info(
    {
      method: req.method,
      path: req.url.split("?")[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      tenant: req.principal?.tenantId,
    },
    "request",
  );
  done();
}

function discoveryRoutes(app: FastifyInstance, publicUrl: string | undefined): void {
  const base = (req: FastifyRequest) => `${publicUrl ?? `${req.protocol}://${req.host}`}${SCIM_PREFIX}`;
  const json = (body: unknown) => JSON.stringify(body);
  const limits = {
    maxResults: MAX_PAGE_SIZE,
    maxFilterLength: MAX_FILTER_LENGTH,
    maxPatchOperations: MAX_PATCH_OPERATIONS,
    maxPayloadSize: 0,
  };
  app.get("/ServiceProviderConfig", async (req, reply) =>
    reply.type(SCIM_MEDIA_TYPE).send(json(buildServiceProviderConfig(base(req), limits))),
  );
  app.get("/ResourceTypes", async (req, reply) =>
    reply
      .type(SCIM_MEDIA_TYPE)
      .send(json(discoveryList(RESOURCE_TYPES.map((rt) => renderResourceType(rt, base(req)))))),
  );
  app.get("/ResourceTypes/:name", async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const rt = RESOURCE_TYPES.find((r) => r.name.toLowerCase() === req.params.name.toLowerCase());
    if (!rt)
      throw new SCIMError(404, undefined, `resource type ${JSON.stringify(req.params.name)} not found`);
    return reply.type(SCIM_MEDIA_TYPE).send(json(renderResourceType(rt, base(req))));
  });
  app.get("/Schemas", async (req, reply) =>
    reply.type(SCIM_MEDIA_TYPE).send(json(discoveryList(SCHEMAS.map((s) => renderSchema(s, base(req)))))),
  );
  app.get("/Schemas/:id", async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const s = SCHEMAS.find((x) => x.id.toLowerCase() === req.params.id.toLowerCase());
    if (!s) throw new SCIMError(404, undefined, `schema ${JSON.stringify(req.params.id)} not found`);
    return reply.type(SCIM_MEDIA_TYPE).send(json(renderSchema(s, base(req))));
  });
}

/** Builds the Fastify app: SCIM under /scim/v2, /healthz, and any extra plugins. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const common = {
    bodyLimit: deps.maxBodyBytes,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 256 },
    trustProxy: true,
    // One access-log line per request (below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  };
  const app: FastifyInstance =
    deps.logger === false
      ? Fastify({ ...common, logger: false })
      : Fastify({ ...common, loggerInstance: deps.logger as FastifyBaseLogger });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/scim+json", "application/json"],
    { parseAs: "string" },
    parseJsonBody,
  );
  // Callback-style hooks: an async hook costs a promise and a microtask turn on every request.
  // The responses of one event-loop turn are written together at its end (see TurnFlush).
  const turn = new TurnFlush((err) => app.log.error({ err }, "could not write a held response"));
  app.addHook("onRequest", (_req, _reply, done) => {
    turn.begin();
    done();
  });
  app.addHook("onSend", (req, reply, payload, done) => {
    reply.header("x-request-id", req.id);
    turn.send(() => done(null, payload));
  });
  if (deps.logger !== false) app.addHook("onResponse", logRequest);
  installSCIMErrorHandling(app);
  app.get("/healthz", async () => ({ status: "ok" }));
  await app.register(
    async (scim) => {
      // Discovery is public (RFC 7644 §4 lets a provider skip authentication for it).
      discoveryRoutes(scim, deps.publicUrl);
      await scim.register(async (authed) => {
        authed.addHook("onRequest", requireKey(deps.tenancy, "tenant"));
        registerSCIMRoutes(authed, { store: deps.store, publicUrl: deps.publicUrl });
      });
    },
    { prefix: SCIM_PREFIX },
  );
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  return app;
}
