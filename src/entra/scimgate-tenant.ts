/** CRUD of the scimgate side (tenant, access key, role mappings) on the admin API, for providers and sandbox. */
import {
  type AdminClient,
  createAdminClient,
  hasAdminStatus,
  type RoleMappingDocument,
} from "../admin/client.js";

/** Environment variable with the management token `<ProjectID>:<ManagementKey>`, when not in stack config. */
export const ADMIN_TOKEN_ENV = "SCIMGATE_ADMIN_TOKEN";

/** Connection to the admin API shared by the three resources. */
export interface AdminConnection {
  /** scimgate base URL (the admin API is at `/admin/v1`). */
  adminUrl: string;
  /** Management token; falls back to $SCIMGATE_ADMIN_TOKEN. */
  adminToken?: string;
}

/** Injected collaborators; providers pass none. */
export interface AdminDeps {
  client?: AdminClient;
  fetch?: typeof fetch;
}

/** Builds the admin client for a connection; throws naming the remedy when no token is available. */
export function adminClientFor(c: AdminConnection, deps: AdminDeps = {}): AdminClient {
  if (deps.client) return deps.client;
  const token = c.adminToken || process.env[ADMIN_TOKEN_ENV];
  if (!token)
    throw new Error(
      `no scimgate management token: set \`scimgate:adminToken\` (secret) or $${ADMIN_TOKEN_ENV}`,
    );
  return createAdminClient({ baseUrl: c.adminUrl, token, fetch: deps.fetch });
}

/** Inputs of the tenant resource. */
export interface TenantInputs extends AdminConnection {
  name: string;
  jit: boolean;
}

/** Outputs of the tenant resource; `scimUrl` is the Tenant URL Entra calls. */
export interface TenantOutputs extends TenantInputs {
  tenantId: string;
  scimUrl: string;
}

/** Creates the tenant and reads the service's SCIM base URL. */
export async function createTenantResource(i: TenantInputs, deps: AdminDeps = {}): Promise<TenantOutputs> {
  const admin = adminClientFor(i, deps);
  const info = await admin.info();
  const tenant = await admin.createTenant({ name: i.name, jit: i.jit });
  return { ...i, tenantId: tenant.id, scimUrl: info.scimUrl };
}

/** Renames the tenant or changes its JIT setting. */
export async function updateTenantResource(o: TenantOutputs, n: TenantInputs, deps: AdminDeps = {}) {
  await adminClientFor(n, deps).updateTenant(o.tenantId, { name: n.name, jit: n.jit });
  return { ...o, ...n } satisfies TenantOutputs;
}

/** Reads the tenant; undefined when it is gone; name/jit reflect the service so a refresh shows drift. */
export async function readTenantResource(
  o: TenantOutputs,
  deps: AdminDeps = {},
): Promise<TenantOutputs | undefined> {
  try {
    const t = await adminClientFor(o, deps).getTenant(o.tenantId);
    return { ...o, name: t.name, jit: t.jit };
  } catch (err) {
    if (hasAdminStatus(err, 404)) return undefined;
    throw err;
  }
}

/** Deletes the tenant and all its data; already gone is fine. */
export async function deleteTenantResource(o: TenantOutputs, deps: AdminDeps = {}): Promise<void> {
  await ignore404(adminClientFor(o, deps).deleteTenant(o.tenantId));
}

async function ignore404(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!hasAdminStatus(err, 404)) throw err;
  }
}

/** Inputs of the access-key resource; changing `rotation` replaces the key (new one first, old revoked last). */
export interface KeyInputs extends AdminConnection {
  tenantId: string;
  rotation: string;
  description: string;
  expiresInDays?: number;
}

/** Outputs of the access-key resource; `token` is secret. */
export interface KeyOutputs extends KeyInputs {
  keyId: string;
  token: string;
  expiresAt: string | null;
}

/** Creates an access key for the tenant. */
export async function createKeyResource(i: KeyInputs, deps: AdminDeps = {}): Promise<KeyOutputs> {
  const body = { description: i.description, ...(i.expiresInDays ? { expiresInDays: i.expiresInDays } : {}) };
  const key = await adminClientFor(i, deps).createKey(i.tenantId, body);
  return { ...i, keyId: key.id, token: key.token, expiresAt: key.expiresAt };
}

/** Reads the key; undefined when revoked or deleted, so the next `up` issues a new one. */
export async function readKeyResource(o: KeyOutputs, deps: AdminDeps = {}): Promise<KeyOutputs | undefined> {
  try {
    const keys = await adminClientFor(o, deps).listKeys(o.tenantId);
    const key = keys.find((k) => k.id === o.keyId);
    return key && !key.revokedAt ? { ...o, expiresAt: key.expiresAt } : undefined;
  } catch (err) {
    if (hasAdminStatus(err, 404)) return undefined;
    throw err;
  }
}

/** Revokes the key; Pulumi runs this for a replaced key only after the job holds the new token. */
export async function deleteKeyResource(o: KeyOutputs, deps: AdminDeps = {}): Promise<void> {
  await ignore404(adminClientFor(o, deps).revokeKey(o.tenantId, o.keyId));
}

/** Input keys of the key resource whose change issues a new key. */
export const KEY_REPLACE_KEYS = ["tenantId", "rotation", "description", "expiresInDays"] as const;

/** Inputs of the role-mapping resource. */
export interface RoleMappingInputs extends AdminConnection {
  tenantId: string;
  document: RoleMappingDocument;
}

/** Outputs of the role-mapping resource: the service's normalised document and any drift. */
export interface RoleMappingOutputs extends RoleMappingInputs {
  normalized: RoleMappingDocument;
  drift: boolean;
}

/** Replaces the tenant's role mappings (declarative, idempotent). */
export async function applyRoleMappings(
  i: RoleMappingInputs,
  deps: AdminDeps = {},
): Promise<RoleMappingOutputs> {
  const res = await adminClientFor(i, deps).putRoleMappings(i.tenantId, i.document);
  return { ...i, normalized: res.document, drift: false };
}

/** Reads the role mappings and flags drift when they differ from what the last apply left. */
export async function readRoleMappings(o: RoleMappingOutputs, deps: AdminDeps = {}) {
  const doc = await adminClientFor(o, deps).getRoleMappings(o.tenantId);
  return { ...o, drift: JSON.stringify(doc) !== JSON.stringify(o.normalized) } satisfies RoleMappingOutputs;
}

/** Feature flag Entra reads from the Tenant URL to send RFC-compliant PATCH (entra-scim-client.md §2). */
export const PATCH_COMPLIANCE_FLAG = "aadOptscim062020";

/** The Tenant URL Entra gets: the SCIM base URL, with the PATCH-compliance flag when asked. */
export function buildTenantUrl(scimUrl: string, patchCompliance: boolean): string {
  if (!patchCompliance || scimUrl.includes(PATCH_COMPLIANCE_FLAG)) return scimUrl;
  return `${scimUrl}${scimUrl.includes("?") ? "&" : "?"}${PATCH_COMPLIANCE_FLAG}`;
}

/** One assigned Entra group and the scimgate roles its members get. */
export interface AssignedGroupRoles {
  objectId: string;
  roles: string[];
}

/** Builds the role-mapping document: groups keyed by Entra objectId (their SCIM externalId), sorted for stable diffs. */
export function buildRoleMappingDocument(
  definitions: { name: string; description?: string }[],
  defaultRoles: string[],
  groups: AssignedGroupRoles[],
): RoleMappingDocument {
  const mappings = groups
    .filter((g) => g.roles.length > 0)
    .map((g) => ({ group: { externalId: g.objectId.toLowerCase() }, roles: [...g.roles] }))
    .sort((a, b) => a.group.externalId.localeCompare(b.group.externalId));
  return { roles: definitions.map((d) => ({ ...d })), defaultRoles: [...defaultRoles], mappings };
}
