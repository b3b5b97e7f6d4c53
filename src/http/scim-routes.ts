import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SCIMError } from "../scim/errors.js";
import { parseListParams, parseProjection } from "../scim/list-params.js";
import { parsePatchRequest, splitGroupPatch } from "../scim/patch/index.js";
import {
  etagOf,
  type Projection,
  parseIfMatch,
  rawDocOf,
  renderResource,
  renderResourceJson,
  wants,
} from "../scim/projection.js";
import { parseResource } from "../scim/resource.js";
import {
  GROUP_RESOURCE,
  type ResourceTypeDef,
  SCIM_LIST_SCHEMA,
  USER_RESOURCE,
} from "../scim/schema-defs.js";
import type { PatchOperation, ScimDoc } from "../scim/types.js";
import type {
  AuditRecord,
  Store,
  StoredGroup,
  StoredResource,
  StoredUser,
  WriteOptions,
} from "../store/store.js";
import { SCIM_MEDIA_TYPE, toSCIMError } from "./errors.js";

/** What the SCIM routes need. */
export interface SCIMRouteDeps {
  readonly store: Store;
  /** Base URL for `meta.location`; derived from the request when unset. */
  readonly publicUrl: string | undefined;
}

type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>;

function tenantOf(req: FastifyRequest): { tenantId: string; keyId: string } {
  const p = req.principal;
  if (!p?.tenantId) throw new SCIMError(401, undefined, "missing bearer token");
  return { tenantId: p.tenantId, keyId: p.keyId };
}

function baseUrl(req: FastifyRequest, deps: SCIMRouteDeps): string {
  return `${deps.publicUrl ?? `${req.protocol}://${req.host}`}/scim/v2`;
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return reply.code(status).type(SCIM_MEDIA_TYPE).send(text);
}

function writeOptions(req: FastifyRequest): WriteOptions {
  const v = parseIfMatch(req.headers["if-match"] as string | undefined);
  // An unparseable If-Match can never match a current version (RFC 7232 §3.1): 412.
  if (v === "mismatch") throw new SCIMError(412, undefined, "If-Match does not name the current version");
  return v === undefined ? {} : { ifMatch: v };
}

/** `If-None-Match` naming the current version (or `*`): the client's copy is current (RFC 7232 §3.2). */
function notModified(req: FastifyRequest, version: number): boolean {
  const h = req.headers["if-none-match"];
  if (typeof h !== "string") return false;
  const tags = h.split(",").map((t) => t.trim());
  return tags.includes("*") || tags.some((t) => parseIfMatch(t) === version);
}

/** One-line description of a PATCH for the audit trail: operations and paths, never values. */
export function summarizePatch(ops: readonly PatchOperation[]): string {
  return ops
    .map((o) => `${o.op} ${o.path ?? `(${Object.keys((o.value as ScimDoc) ?? {}).join(",")})`}`)
    .join("; ")
    .slice(0, 1000);
}

function userExtra(req: FastifyRequest, deps: SCIMRouteDeps, u: StoredUser, p: Projection): ScimDoc {
  if (!u.groups || !wants(p, "groups") || u.groups.length === 0) return {};
  const base = baseUrl(req, deps);
  return {
    groups: u.groups.map((g) => ({
      value: g.value,
      $ref: `${base}/Groups/${g.value}`,
      display: g.display,
      type: "direct",
    })),
  };
}

function groupExtra(req: FastifyRequest, deps: SCIMRouteDeps, g: StoredGroup, p: Projection): ScimDoc {
  if (!g.members || !wants(p, "members")) return {};
  const base = baseUrl(req, deps);
  return {
    members: g.members.map((m) => ({
      value: m.value,
      $ref: `${base}/${m.type}s/${m.value}`,
      type: m.type,
      ...(m.display !== undefined ? { display: m.display } : {}),
    })),
  };
}

// Built field by field: spreading a stored resource would parse a document the JSON path never needs.
function metaOf(req: FastifyRequest, deps: SCIMRouteDeps, r: StoredResource, kind: "Users" | "Groups") {
  const location = `${baseUrl(req, deps)}/${kind}/${r.id}`;
  return { id: r.id, version: r.version, created: r.created, lastModified: r.lastModified, location };
}

function renderGroup(req: FastifyRequest, deps: SCIMRouteDeps, g: StoredGroup, p: Projection): ScimDoc {
  return renderResource(
    GROUP_RESOURCE,
    metaOf(req, deps, g, "Groups"),
    g.doc,
    groupExtra(req, deps, g, p),
    p,
  );
}

/** A resource as JSON text, splicing the document text the store kept when no projection reaches into it. */
function resourceJson(
  rt: ResourceTypeDef,
  meta: ReturnType<typeof metaOf>,
  r: StoredResource,
  extra: ScimDoc,
  p: Projection,
): string {
  const raw = rawDocOf(r);
  const spliced = raw === undefined ? undefined : renderResourceJson(rt, meta, raw, extra, p);
  return spliced ?? JSON.stringify(renderResource(rt, meta, r.doc, extra, p));
}

function userJson(req: FastifyRequest, deps: SCIMRouteDeps, u: StoredUser, p: Projection): string {
  return resourceJson(USER_RESOURCE, metaOf(req, deps, u, "Users"), u, userExtra(req, deps, u, p), p);
}

function groupJson(req: FastifyRequest, deps: SCIMRouteDeps, g: StoredGroup, p: Projection): string {
  return resourceJson(GROUP_RESOURCE, metaOf(req, deps, g, "Groups"), g, groupExtra(req, deps, g, p), p);
}

/**
 * Runs a write with its audit record; a failed write is rolled back and then audited on its own
 * with the failure as outcome, so the trail shows every attempt exactly once.
 */
async function audited<T>(
  req: FastifyRequest,
  deps: SCIMRouteDeps,
  base: Omit<AuditRecord, "tenantId" | "keyId" | "requestId" | "outcome">,
  fn: (audit: AuditRecord) => Promise<T>,
): Promise<T> {
  const { tenantId, keyId } = tenantOf(req);
  // Field by field, not `{ ...base, … }`: see auditAbout (store/rows.ts) on object spread.
  const audit: AuditRecord = {
    tenantId,
    keyId,
    requestId: String(req.id),
    operation: base.operation,
    resourceType: base.resourceType,
    resourceId: base.resourceId,
    outcome: "success",
    summary: base.summary,
  };
  try {
    return await fn(audit);
  } catch (err) {
    const e = toSCIMError(err, req);
    await deps.store
      .appendAudit({
        ...audit,
        outcome: `failed ${e.status}${e.scimType ? ` ${e.scimType}` : ""}: ${e.detail}`.slice(0, 500),
      })
      .catch((auditErr: unknown) => req.log.error({ err: auditErr }, "could not write failure audit"));
    throw e;
  }
}

/** A ListResponse as JSON text around resources already rendered as JSON text. */
function listResponse(q: { startIndex: number }, total: number, resources: readonly string[]): string {
  const head = { schemas: [SCIM_LIST_SCHEMA], totalResults: total, startIndex: q.startIndex };
  return `${JSON.stringify(head).slice(0, -1)},"itemsPerPage":${resources.length},"Resources":[${resources.join(",")}]}`;
}

/** Request-body form of a list (RFC 7644 §3.4.3 `.search`): arrays of attribute names are joined. */
function searchParams(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new SCIMError(400, "invalidSyntax", "a SearchRequest body must be a JSON object");
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === "schemas") continue;
    out[k] = Array.isArray(v) ? v.join(",") : v;
  }
  return out;
}

function userRoutes(app: FastifyInstance, deps: SCIMRouteDeps): void {
  const { store } = deps;
  const list = async (req: FastifyRequest, reply: FastifyReply, raw: Record<string, unknown>) => {
    const { tenantId } = tenantOf(req);
    const q = parseListParams(USER_RESOURCE, raw);
    const page = await store.listUsers(tenantId, q, { groups: wants(q.projection, "groups") });
    const resources = page.resources.map((u) => userJson(req, deps, u, q.projection));
    return send(reply, 200, listResponse(q, page.totalResults, resources));
  };
  app.get("/Users", (req: Req, reply) => list(req, reply, req.query));
  app.post("/Users/.search", (req, reply) => list(req, reply, searchParams(req.body)));

  app.get("/Users/:id", async (req: Req, reply) => {
    const { tenantId } = tenantOf(req);
    const p = parseProjection(USER_RESOURCE, req.query);
    const u = await store.getUser(tenantId, req.params.id, { groups: wants(p, "groups") });
    if (!u) throw new SCIMError(404, undefined, `User ${JSON.stringify(req.params.id)} not found`);
    if (notModified(req, u.version)) return reply.code(304).header("etag", etagOf(u.version)).send();
    return send(reply.header("etag", etagOf(u.version)), 200, userJson(req, deps, u, p));
  });

  app.post("/Users", async (req: Req, reply) => {
    const { doc } = parseResource(USER_RESOURCE, req.body);
    const summary = `userName=${String(doc.userName)}`;
    const u = await audited(
      req,
      deps,
      { operation: "create", resourceType: "User", resourceId: null, summary },
      (a) => store.createUser(tenantOf(req).tenantId, doc, a),
    );
    const p = parseProjection(USER_RESOURCE, req.query);
    const meta = metaOf(req, deps, u, "Users");
    reply.header("location", meta.location).header("etag", etagOf(u.version));
    return send(reply, 201, resourceJson(USER_RESOURCE, meta, u, userExtra(req, deps, u, p), p));
  });

  app.put("/Users/:id", async (req: Req, reply) => {
    const opts = writeOptions(req);
    const { doc } = parseResource(USER_RESOURCE, req.body);
    const base = {
      operation: "replace",
      resourceType: "User",
      resourceId: req.params.id,
      summary: "replaced all attributes",
    };
    const u = await audited(req, deps, base, (a) =>
      store.updateUser(tenantOf(req).tenantId, req.params.id, { replace: doc }, opts, a),
    );
    const full = u.groups ? u : await store.getUser(tenantOf(req).tenantId, u.id, { groups: true });
    return send(
      reply.header("etag", etagOf(u.version)),
      200,
      userJson(req, deps, full ?? u, parseProjection(USER_RESOURCE, req.query)),
    );
  });

  app.patch("/Users/:id", async (req: Req, reply) => {
    const opts = writeOptions(req);
    const ops = parsePatchRequest(req.body);
    const base = {
      operation: "patch",
      resourceType: "User",
      resourceId: req.params.id,
      summary: summarizePatch(ops),
    };
    const u = await audited(req, deps, base, (a) =>
      store.updateUser(tenantOf(req).tenantId, req.params.id, { patch: ops }, opts, a),
    );
    // Entra compares what GET returns with what it sent; answering with the full resource saves it a GET.
    const full = u.groups ? u : await store.getUser(tenantOf(req).tenantId, u.id, { groups: true });
    return send(
      reply.header("etag", etagOf(u.version)),
      200,
      userJson(req, deps, full ?? u, parseProjection(USER_RESOURCE, req.query)),
    );
  });

  app.delete("/Users/:id", async (req: Req, reply) => {
    const opts = writeOptions(req);
    const base = { operation: "delete", resourceType: "User", resourceId: req.params.id, summary: "deleted" };
    await audited(req, deps, base, (a) => store.deleteUser(tenantOf(req).tenantId, req.params.id, opts, a));
    return reply.code(204).send();
  });
}

function groupRoutes(app: FastifyInstance, deps: SCIMRouteDeps): void {
  const { store } = deps;
  const list = async (req: FastifyRequest, reply: FastifyReply, raw: Record<string, unknown>) => {
    const { tenantId } = tenantOf(req);
    const q = parseListParams(GROUP_RESOURCE, raw);
    const page = await store.listGroups(tenantId, q, { members: wants(q.projection, "members") });
    const resources = page.resources.map((g) => groupJson(req, deps, g, q.projection));
    return send(reply, 200, listResponse(q, page.totalResults, resources));
  };
  app.get("/Groups", (req: Req, reply) => list(req, reply, req.query));
  app.post("/Groups/.search", (req, reply) => list(req, reply, searchParams(req.body)));

  app.get("/Groups/:id", async (req: Req, reply) => {
    const { tenantId } = tenantOf(req);
    const p = parseProjection(GROUP_RESOURCE, req.query);
    const g = await store.getGroup(tenantId, req.params.id, { members: wants(p, "members") });
    if (!g) throw new SCIMError(404, undefined, `Group ${JSON.stringify(req.params.id)} not found`);
    if (notModified(req, g.version)) return reply.code(304).header("etag", etagOf(g.version)).send();
    return send(reply.header("etag", etagOf(g.version)), 200, groupJson(req, deps, g, p));
  });

  app.post("/Groups", async (req: Req, reply) => {
    const { doc, members = [] } = parseResource(GROUP_RESOURCE, req.body);
    const summary = `displayName=${String(doc.displayName)}; members+${members.length}`;
    const g = await audited(
      req,
      deps,
      { operation: "create", resourceType: "Group", resourceId: null, summary },
      (a) => store.createGroup(tenantOf(req).tenantId, doc, members, a),
    );
    const body = renderGroup(req, deps, g, parseProjection(GROUP_RESOURCE, req.query));
    reply.header("location", (body.meta as ScimDoc).location as string).header("etag", etagOf(g.version));
    return send(reply, 201, body);
  });

  app.put("/Groups/:id", async (req: Req, reply) => {
    const opts = writeOptions(req);
    const { doc, members = [] } = parseResource(GROUP_RESOURCE, req.body);
    const delta = { clear: true, add: members, remove: [] };
    const base = {
      operation: "replace",
      resourceType: "Group",
      resourceId: req.params.id,
      summary: `replaced; members=${members.length}`,
    };
    const { tenantId } = tenantOf(req);
    await audited(req, deps, base, (a) =>
      store.updateGroup(tenantId, req.params.id, { replace: doc }, delta, opts, a),
    );
    const g = await store.getGroup(tenantId, req.params.id, { members: true });
    if (!g) throw new SCIMError(404, undefined, `Group ${JSON.stringify(req.params.id)} not found`);
    return send(
      reply.header("etag", etagOf(g.version)),
      200,
      renderGroup(req, deps, g, parseProjection(GROUP_RESOURCE, req.query)),
    );
  });

  app.patch("/Groups/:id", async (req: Req, reply) => {
    const opts = writeOptions(req);
    const ops = parsePatchRequest(req.body);
    const { attributeOps, members } = splitGroupPatch(ops);
    const base = {
      operation: "patch",
      resourceType: "Group",
      resourceId: req.params.id,
      summary: summarizePatch(ops),
    };
    const g = await audited(req, deps, base, (a) =>
      store.updateGroup(tenantOf(req).tenantId, req.params.id, { patch: attributeOps }, members, opts, a),
    );
    // Entra expects 204 for group PATCH and is told not to expect the member list back.
    return reply.code(204).header("etag", etagOf(g.version)).send();
  });

  app.delete("/Groups/:id", async (req: Req, reply) => {
    const opts = writeOptions(req);
    const base = {
      operation: "delete",
      resourceType: "Group",
      resourceId: req.params.id,
      summary: "deleted",
    };
    await audited(req, deps, base, (a) => store.deleteGroup(tenantOf(req).tenantId, req.params.id, opts, a));
    return reply.code(204).send();
  });
}

/**
 * The endpoints RFC 7644 defines that scimgate does not offer answer 501 with a SCIM error body instead of
 * a bare 404: `/Me` (§3.11: a provider without it SHOULD answer 501; a tenant's Secret Token stands for
 * the provisioning client, not for a user) and `/Bulk` (§3.7; ServiceProviderConfig says `bulk.supported`
 * is false).
 */
function unsupportedRoutes(app: FastifyInstance): void {
  const refuse = (detail: string) => async () => {
    throw new SCIMError(501, undefined, detail);
  };
  const me = refuse("/Me is not supported: a Secret Token authenticates the provisioning client, not a user");
  app.all("/Me", me);
  app.all("/Me/*", me);
  app.all("/Bulk", refuse("bulk operations are not supported (see /ServiceProviderConfig)"));
}

/** Registers /Users and /Groups (RFC 7644 §3.2–§3.6) on a scope that already authenticates. */
export function registerSCIMRoutes(app: FastifyInstance, deps: SCIMRouteDeps): void {
  userRoutes(app, deps);
  groupRoutes(app, deps);
  unsupportedRoutes(app);
}
