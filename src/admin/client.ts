/** Typed client of scimgate's admin API (`/admin/v1`); base URL and fetch are injectable. */

/** A tenant as the admin API returns it. */
export interface AdminTenant {
  id: string;
  name: string;
  jit: boolean;
  createdAt: string;
}

/** An access key as listed (no secret). */
export interface AdminKey {
  id: string;
  tenantId: string;
  description: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt?: string | null;
  lastUsedAt?: string | null;
}

/** A freshly created access key; `token` ("<ProjectID>:<AccessKey>") is shown once. */
export interface CreatedAdminKey extends AdminKey {
  token: string;
}

/** A group reference in a role mapping: by Entra objectId (externalId, stable) or by displayName. */
export type GroupRef = { externalId: string } | { displayName: string };

/** The declarative role-mapping document of a tenant. */
export interface RoleMappingDocument {
  roles: { name: string; description?: string }[];
  defaultRoles: string[];
  mappings: { group: GroupRef; roles: string[] }[];
}

/** A provisioned user with resolved roles. */
export interface AdminUser {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  roles: string[];
  groups: { id: string; displayName: string; externalId: string | null }[];
}

/** A provisioned group. */
export interface AdminGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
}

/** Result of a login check. */
export interface LoginCheck {
  allowed: boolean;
  reason: string;
  userId: string | null;
  roles: string[];
  groups: unknown[];
}

/** An admin API error, carrying the API's status, error code and detail. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`scimgate admin API ${method} ${path} failed: ${status} ${code}: ${detail}`);
    this.name = "AdminApiError";
  }
}

/** Options of the admin client. */
export interface AdminClientOptions {
  /** Service base URL, e.g. https://scimgate.example.com (the client appends /admin/v1). */
  baseUrl: string;
  /** Management token `<ProjectID>:<ManagementKey>`. */
  token: string;
  /** fetch implementation (default global fetch). */
  fetch?: typeof fetch;
}

async function errorOf(res: Response, method: string, path: string): Promise<AdminApiError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: string; detail?: string };
    return new AdminApiError(
      res.status,
      body.error ?? `http_${res.status}`,
      body.detail ?? text,
      method,
      path,
    );
  } catch {
    return new AdminApiError(res.status, `http_${res.status}`, text.slice(0, 200), method, path);
  }
}

/** Creates an admin API client. */
export function createAdminClient(opts: AdminClientOptions) {
  const root = `${opts.baseUrl.replace(/\/+$/, "")}/admin/v1`;
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${opts.token}`,
      Accept: "application/json",
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await doFetch(`${root}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(
        `scimgate admin API ${method} ${root}${path} is unreachable: ${(err as Error).message}`,
      );
    }
    if (!res.ok) throw await errorOf(res, method, path);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const t = (id: string) => `/tenants/${encodeURIComponent(id)}`;
  return {
    info: () => call<{ projectId: string; scimUrl: string }>("GET", "/info"),
    createTenant: (body: { name: string; jit?: boolean }) => call<AdminTenant>("POST", "/tenants", body),
    listTenants: async () => (await call<{ tenants: AdminTenant[] }>("GET", "/tenants")).tenants,
    getTenant: (id: string) => call<AdminTenant>("GET", t(id)),
    updateTenant: (id: string, body: { name?: string; jit?: boolean }) =>
      call<AdminTenant>("PATCH", t(id), body),
    deleteTenant: (id: string) => call<void>("DELETE", t(id)),
    createKey: (id: string, body: { expiresInDays?: number; description?: string } = {}) =>
      call<CreatedAdminKey>("POST", `${t(id)}/keys`, body),
    listKeys: async (id: string) => (await call<{ keys: AdminKey[] }>("GET", `${t(id)}/keys`)).keys,
    revokeKey: (id: string, keyId: string) =>
      call<void>("DELETE", `${t(id)}/keys/${encodeURIComponent(keyId)}`),
    putRoleMappings: (id: string, doc: RoleMappingDocument) =>
      call<{ changed: boolean; document: RoleMappingDocument }>("PUT", `${t(id)}/role-mappings`, doc),
    getRoleMappings: (id: string) => call<RoleMappingDocument>("GET", `${t(id)}/role-mappings`),
    listUsers: async (id: string) => (await call<{ users: AdminUser[] }>("GET", `${t(id)}/users`)).users,
    listGroups: async (id: string) => (await call<{ groups: AdminGroup[] }>("GET", `${t(id)}/groups`)).groups,
    loginCheck: (id: string, body: { userName?: string; externalId?: string }) =>
      call<LoginCheck>("POST", `${t(id)}/login-check`, body),
  };
}

/** The admin API client type. */
export type AdminClient = ReturnType<typeof createAdminClient>;

/** True when `err` is an admin API error with the given status. */
export function hasAdminStatus(err: unknown, status: number): boolean {
  return err instanceof AdminApiError && err.status === status;
}
