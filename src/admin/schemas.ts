import { z } from "zod";
import { RoleConfigSchema } from "../roles/roles.js";

/** `POST /tenants` body. */
export const CreateTenantBody = z.strictObject({
  name: z.string().min(1).max(200),
  jit: z.boolean().default(false),
});

/** `PATCH /tenants/{id}` body. */
export const UpdateTenantBody = z
  .strictObject({ name: z.string().min(1).max(200).optional(), jit: z.boolean().optional() })
  .refine((b) => b.name !== undefined || b.jit !== undefined, "give name or jit");

/** `POST /tenants/{id}/keys` body. */
export const CreateKeyBody = z.strictObject({
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  description: z.string().max(200).optional(),
});

/** `POST /tenants/{id}/login-check` body: exactly one of userName and externalId. */
export const LoginCheckBody = z
  .strictObject({
    userName: z.string().min(1).max(1024).optional(),
    externalId: z.string().min(1).max(1024).optional(),
    attributes: z
      .strictObject({
        email: z.string().max(1024).optional(),
        givenName: z.string().max(1024).optional(),
        familyName: z.string().max(1024).optional(),
        displayName: z.string().max(1024).optional(),
      })
      .optional(),
  })
  .refine(
    (b) => (b.userName === undefined) !== (b.externalId === undefined),
    "give exactly one of userName and externalId",
  );

/** Paging query of the user and group listings. */
export const PageQuery = z.strictObject({
  startIndex: z.coerce.number().int().min(1).default(1),
  count: z.coerce.number().int().min(0).max(1000).default(100),
  userName: z.string().min(1).max(1024).optional(),
});

/** Audit query. */
export const AuditQueryParams = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  resourceType: z.string().max(50).optional(),
  resourceId: z.string().max(200).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The role document, as the PUT body. */
export const RoleDocumentBody = RoleConfigSchema;

const Tenant = z.object({
  id: z.string(),
  name: z.string(),
  jit: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Key = z.object({
  id: z.string(),
  kind: z.enum(["tenant", "management"]),
  tenantId: z.string().nullable(),
  description: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
const GroupRef = z.object({ id: z.string(), displayName: z.string(), externalId: z.string().nullable() });
const ErrorBody = z.object({ status: z.number(), error: z.string(), detail: z.string() });

/** Response schemas, for the OpenAPI document. */
export const RESPONSES = {
  Tenant,
  Key,
  CreatedKey: Key.extend({ token: z.string() }),
  User: z.object({
    id: z.string(),
    userName: z.string(),
    externalId: z.string().nullable(),
    displayName: z.string().nullable(),
    active: z.boolean(),
    origin: z.enum(["scim", "jit"]),
    roles: z.array(z.string()),
    groups: z.array(GroupRef),
  }),
  Group: z.object({
    id: z.string(),
    displayName: z.string(),
    externalId: z.string().nullable(),
    memberCount: z.number(),
  }),
  LoginDecision: z.object({
    allowed: z.boolean(),
    reason: z.string(),
    userId: z.string().nullable(),
    roles: z.array(z.string()),
    groups: z.array(GroupRef),
  }),
  AuditEntry: z.object({
    id: z.number(),
    at: z.string(),
    tenantId: z.string().nullable(),
    keyId: z.string().nullable(),
    requestId: z.string(),
    operation: z.string(),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    outcome: z.string(),
    summary: z.string(),
  }),
  Error: ErrorBody,
};
