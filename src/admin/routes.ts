import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { bearerToken } from "../http/auth.js";
import { RoleConfigError } from "../roles/roles.js";
import { SCIMError } from "../scim/errors.js";
import type { AuditRecord } from "../store/store.js";
import { StoreError } from "../store/store.js";
import type { Tenancy } from "../tenancy/tenancy.js";
import { buildOpenApi, type RouteDoc } from "./openapi.js";
import {
  AuditQueryParams,
  CreateKeyBody,
  CreateTenantBody,
  LoginCheckBody,
  PageQuery,
  RESPONSES,
  RoleDocumentBody,
  UpdateTenantBody,
} from "./schemas.js";
import type { AdminService } from "./service.js";

/** Prefix of the admin API. */
export const ADMIN_PREFIX = "/admin/v1";

/** An admin API failure: rendered as `{status, error, detail}`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `${[where, ...i.path].join(".")}: ${i.message}`).join("; ");
  throw new AdminError(400, "invalid_request", detail);
}

function toAdminError(err: unknown, req: FastifyRequest): AdminError {
  if (err instanceof AdminError) return err;
  if (err instanceof RoleConfigError) return new AdminError(400, "invalid_role_document", err.message);
  if (err instanceof StoreError) {
    const map = {
      conflict: 409,
      not_found: 404,
      precondition_failed: 412,
      invalid: 400,
      unavailable: 503,
    } as const;
    return new AdminError(map[err.code], err.code, err.message);
  }
  if (err instanceof SCIMError) return new AdminError(err.status, err.scimType ?? "error", err.detail);
  const fe = err as { statusCode?: number; message?: string };
  if (typeof fe.statusCode === "number" && fe.statusCode < 500) {
    return new AdminError(fe.statusCode, "bad_request", fe.message ?? "bad request");
  }
  req.log.error({ err }, "unhandled admin error");
  return new AdminError(500, "internal", `internal error; quote request id ${req.id}`);
}

type Handler = (req: FastifyRequest, reply: FastifyReply, audit: AuditRecord) => Promise<unknown>;

interface Deps {
  readonly service: AdminService;
  readonly tenancy: Tenancy;
  readonly scimUrl: (req: FastifyRequest) => string;
}

function auditOf(
  req: FastifyRequest,
  operation: string,
  resourceType: string,
  tenantId: string | null,
): AuditRecord {
  return {
    tenantId,
    keyId: req.principal?.keyId ?? null,
    requestId: String(req.id),
    operation,
    resourceType,
    resourceId: null,
    outcome: "success",
    summary: "",
  };
}

type P = { id: string; keyId: string; userId: string };

/** The admin API routes, as data: each becomes a Fastify route and an OpenAPI operation. */
function routes(d: Deps): (RouteDoc & { handler: Handler })[] {
  const s = d.service;
  const params = (req: FastifyRequest) => req.params as P;
  return [
    {
      method: "GET",
      path: "/info",
      summary: "Project ID and the Tenant URL to give Entra",
      response: z.object({ projectId: z.string(), scimUrl: z.string() }),
      handler: async (req) => ({ projectId: d.tenancy.projectId, scimUrl: d.scimUrl(req) }),
    },
    {
      method: "POST",
      path: "/tenants",
      summary: "Create a tenant",
      body: CreateTenantBody,
      response: RESPONSES.Tenant,
      status: 201,
      handler: async (req, _r, a) => {
        const b = parse(CreateTenantBody, req.body, "body");
        return s.createTenant(b.name, b.jit, { ...a, operation: "create", resourceType: "Tenant" });
      },
    },
    {
      method: "GET",
      path: "/tenants",
      summary: "List tenants",
      response: z.object({ tenants: z.array(RESPONSES.Tenant) }),
      handler: async () => ({ tenants: await s.listTenants() }),
    },
    {
      method: "GET",
      path: "/tenants/{id}",
      summary: "Get a tenant",
      response: RESPONSES.Tenant,
      handler: async (req) => s.getTenant(params(req).id),
    },
    {
      method: "PATCH",
      path: "/tenants/{id}",
      summary: "Rename a tenant or switch JIT",
      body: UpdateTenantBody,
      response: RESPONSES.Tenant,
      handler: async (req, _r, a) =>
        s.updateTenant(params(req).id, parse(UpdateTenantBody, req.body, "body"), {
          ...a,
          operation: "update",
          resourceType: "Tenant",
        }),
    },
    {
      method: "DELETE",
      path: "/tenants/{id}",
      summary: "Delete a tenant with all its data",
      status: 204,
      handler: async (req, _r, a) =>
        s.deleteTenant(params(req).id, { ...a, operation: "delete", resourceType: "Tenant" }),
    },
    {
      method: "POST",
      path: "/tenants/{id}/keys",
      summary: "Issue an access key (the token is shown once)",
      body: CreateKeyBody,
      response: RESPONSES.CreatedKey,
      status: 201,
      handler: async (req, _r, a) =>
        s.createKey(params(req).id, parse(CreateKeyBody, req.body, "body"), {
          ...a,
          operation: "create",
          resourceType: "AccessKey",
        }),
    },
    {
      method: "GET",
      path: "/tenants/{id}/keys",
      summary: "List a tenant's keys (no secrets)",
      response: z.object({ keys: z.array(RESPONSES.Key) }),
      handler: async (req) => ({ keys: await s.listKeys(params(req).id) }),
    },
    {
      method: "DELETE",
      path: "/tenants/{id}/keys/{keyId}",
      summary: "Revoke a key, with immediate effect",
      status: 204,
      handler: async (req, _r, a) =>
        s.revokeKey(params(req).id, params(req).keyId, {
          ...a,
          operation: "revoke",
          resourceType: "AccessKey",
        }),
    },
    {
      method: "GET",
      path: "/tenants/{id}/role-mappings",
      summary: "The tenant's roles, default roles and group mappings",
      response: RoleDocumentBody,
      handler: async (req) => s.getRoles(params(req).id),
    },
    {
      method: "PUT",
      path: "/tenants/{id}/role-mappings",
      summary: "Replace the whole role document (idempotent)",
      body: RoleDocumentBody,
      response: z.object({ changed: z.boolean(), document: RoleDocumentBody }),
      handler: async (req, _r, a) =>
        s.putRoles(params(req).id, req.body, { ...a, operation: "replace", resourceType: "RoleMappings" }),
    },
    {
      method: "GET",
      path: "/tenants/{id}/users",
      summary: "Provisioned users with effective roles",
      query: PageQuery,
      response: z.object({ totalResults: z.number(), users: z.array(RESPONSES.User) }),
      handler: async (req) => s.listUsers(params(req).id, parse(PageQuery, req.query, "query")),
    },
    {
      method: "GET",
      path: "/tenants/{id}/users/{userId}",
      summary: "One user with effective roles",
      response: RESPONSES.User,
      handler: async (req) => s.getUser(params(req).id, params(req).userId),
    },
    {
      method: "GET",
      path: "/tenants/{id}/groups",
      summary: "Provisioned groups",
      query: PageQuery.omit({ userName: true }),
      response: z.object({ totalResults: z.number(), groups: z.array(RESPONSES.Group) }),
      handler: async (req) =>
        s.listGroups(params(req).id, parse(PageQuery.omit({ userName: true }), req.query, "query")),
    },
    {
      method: "GET",
      path: "/tenants/{id}/audit",
      summary: "The audit trail, oldest first, paged by cursor",
      query: AuditQueryParams,
      response: z.object({ entries: z.array(RESPONSES.AuditEntry), nextCursor: z.number().nullable() }),
      handler: async (req) => s.queryAudit(params(req).id, parse(AuditQueryParams, req.query, "query")),
    },
    {
      method: "POST",
      path: "/tenants/{id}/login-check",
      summary: "May this user log in, and with which roles?",
      body: LoginCheckBody,
      response: RESPONSES.LoginDecision,
      handler: async (req, _r, a) => s.loginCheck(params(req).id, parse(LoginCheckBody, req.body, "body"), a),
    },
  ];
}

async function requireManagementKey(tenancy: Tenancy, req: FastifyRequest): Promise<void> {
  const token = bearerToken(req);
  if (token === undefined)
    throw new AdminError(401, "unauthorized", "missing bearer token (a management key)");
  const result = await tenancy.authenticate(token, "management");
  if (typeof result === "string")
    throw new AdminError(401, "unauthorized", "invalid, expired or revoked management key");
  req.principal = result;
}

/** The admin API plugin: management-key auth, JSON errors, and /admin/v1/openapi.json. */
export function adminPlugin(deps: Deps) {
  return async (app: FastifyInstance): Promise<void> => {
    const table = routes(deps);
    const openapi = buildOpenApi(ADMIN_PREFIX, table);
    await app.register(
      async (admin) => {
        admin.setErrorHandler((err, req, reply) => {
          const e = toAdminError(err, req);
          return reply.code(e.status).send({ status: e.status, error: e.error, detail: e.detail });
        });
        admin.setNotFoundHandler((req, reply) =>
          reply.code(404).send({
            status: 404,
            error: "not_found",
            detail: `no such endpoint: ${req.method} ${req.url.split("?")[0]}`,
          }),
        );
        admin.get("/openapi.json", async () => openapi);
        admin.addHook("onRequest", async (req) => {
          if (req.url.split("?")[0] !== `${ADMIN_PREFIX}/openapi.json`)
            await requireManagementKey(deps.tenancy, req);
        });
        for (const r of table) {
          admin.route({
            method: r.method,
            url: r.path.replace(/\{(\w+)\}/g, ":$1"),
            handler: async (req, reply) => {
              const tenantId = (req.params as Partial<P>).id ?? null;
              const result = await r.handler(
                req,
                reply,
                auditOf(req, r.method.toLowerCase(), "Admin", tenantId),
              );
              if (r.status === 204) return reply.code(204).send();
              return reply.code(r.status ?? 200).send(result);
            },
          });
        }
      },
      { prefix: ADMIN_PREFIX },
    );
  };
}
