import { parseRoleConfig, resolveRoles } from "../roles/roles.js";
import type { Filter } from "../scim/filter/ast.js";
import type { AuditEntry, AuditRecord, RoleConfig, Store, StoredUser, Tenant } from "../store/store.js";
import { StoreError } from "../store/store.js";
import type { KeyInfo, Tenancy } from "../tenancy/tenancy.js";

/** A provisioned user with its effective roles. */
export interface UserView {
  readonly id: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly displayName: string | null;
  readonly active: boolean;
  readonly origin: "scim" | "jit";
  readonly roles: string[];
  readonly groups: { id: string; displayName: string; externalId: string | null }[];
}

/** A provisioned group. */
export interface GroupView {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly memberCount: number;
}

/** The answer to "may this user log in, and with which roles?". */
export interface LoginDecision {
  readonly allowed: boolean;
  readonly reason: string;
  readonly userId: string | null;
  readonly roles: string[];
  readonly groups: { id: string; displayName: string; externalId: string | null }[];
}

/** Who is signing in: one of userName or externalId, plus SSO attributes used only by JIT. */
export interface LoginSubject {
  readonly userName?: string;
  readonly externalId?: string;
  readonly attributes?: { email?: string; givenName?: string; familyName?: string; displayName?: string };
}

/** Most users or groups one admin listing returns. */
export const MAX_ADMIN_PAGE = 1000;

function eq(attr: string, value: string): Filter {
  return { type: "compare", path: { attr }, op: "eq", value };
}

function toView(u: StoredUser, config: RoleConfig): UserView {
  const groups = (u.groups ?? []).map((g) => ({
    id: g.value,
    displayName: g.display,
    externalId: g.externalId,
  }));
  const doc = u.doc;
  return {
    id: u.id,
    userName: String(doc.userName),
    externalId: typeof doc.externalId === "string" ? doc.externalId : null,
    displayName: typeof doc.displayName === "string" ? doc.displayName : null,
    // SCIM leaves `active` optional; a user Entra never deactivated is active.
    active: doc.active !== false,
    origin: u.origin ?? "scim",
    roles: resolveRoles(config, groups),
    groups,
  };
}

function notFound(what: string, id: string): StoreError {
  return new StoreError("not_found", `${what} ${JSON.stringify(id)} not found`);
}

/** Tenants, keys, roles, users, audit and login decisions: the logic behind the admin API and the CLI. */
export class AdminService {
  constructor(
    private readonly store: Store,
    private readonly tenancy: Tenancy,
  ) {}

  createTenant(name: string, jit: boolean, audit: AuditRecord): Promise<Tenant> {
    return this.tenancy.createTenant(name, jit, { ...audit, summary: `created tenant ${name} (jit=${jit})` });
  }

  getTenant(id: string): Promise<Tenant> {
    return this.tenancy.requireTenant(id);
  }

  listTenants(): Promise<readonly Tenant[]> {
    return this.store.listTenants();
  }

  updateTenant(id: string, patch: { name?: string; jit?: boolean }, audit: AuditRecord): Promise<Tenant> {
    return this.store.updateTenant(id, patch, {
      ...audit,
      summary: `updated tenant: ${JSON.stringify(patch)}`,
    });
  }

  deleteTenant(id: string, audit: AuditRecord): Promise<void> {
    return this.store.deleteTenant(id, { ...audit, summary: "deleted tenant and all its data" });
  }

  async createKey(
    tenantId: string,
    opts: { expiresInDays?: number; description?: string },
    audit: AuditRecord,
  ): Promise<KeyInfo & { token: string }> {
    await this.tenancy.requireTenant(tenantId);
    return this.tenancy.createKey("tenant", tenantId, opts, { ...audit, tenantId });
  }

  async listKeys(tenantId: string): Promise<KeyInfo[]> {
    await this.tenancy.requireTenant(tenantId);
    return this.tenancy.listKeys("tenant", tenantId);
  }

  /** Revokes a key of this tenant; a key of another tenant is "not found", never revoked. */
  async revokeKey(tenantId: string, keyId: string, audit: AuditRecord): Promise<KeyInfo> {
    const key = await this.store.getKey(keyId);
    if (key?.kind !== "tenant" || key.tenantId !== tenantId) throw notFound("key", keyId);
    return this.tenancy.revokeKey(keyId, { ...audit, tenantId });
  }

  async getRoles(tenantId: string): Promise<RoleConfig> {
    await this.tenancy.requireTenant(tenantId);
    return this.store.getRoleConfig(tenantId);
  }

  /** Replaces the tenant's role document; the same document twice is a no-op. Throws RoleConfigError. */
  async putRoles(
    tenantId: string,
    input: unknown,
    audit: AuditRecord,
  ): Promise<{ changed: boolean; document: RoleConfig }> {
    const document = parseRoleConfig(input);
    const summary = `roles=${document.roles.length} defaultRoles=${document.defaultRoles.length} mappings=${document.mappings.length}`;
    const { changed } = await this.store.putRoleConfig(tenantId, document, { ...audit, tenantId, summary });
    return { changed, document };
  }

  async listUsers(tenantId: string, page: { startIndex: number; count: number; userName?: string }) {
    const config = await this.getRoles(tenantId);
    const q = {
      startIndex: page.startIndex,
      count: Math.min(page.count, MAX_ADMIN_PAGE),
      sortBy: "userName",
      ...(page.userName ? { filter: eq("userName", page.userName) } : {}),
    };
    const res = await this.store.listUsers(tenantId, q, { groups: true });
    return { totalResults: res.totalResults, users: res.resources.map((u) => toView(u, config)) };
  }

  async getUser(tenantId: string, id: string): Promise<UserView> {
    const config = await this.getRoles(tenantId);
    const u = await this.store.getUser(tenantId, id, { groups: true });
    if (!u) throw notFound("user", id);
    return toView(u, config);
  }

  async listGroups(tenantId: string, page: { startIndex: number; count: number }) {
    await this.tenancy.requireTenant(tenantId);
    const q = {
      startIndex: page.startIndex,
      count: Math.min(page.count, MAX_ADMIN_PAGE),
      sortBy: "displayName",
    };
    const res = await this.store.listGroups(tenantId, q, { members: true });
    const groups: GroupView[] = res.resources.map((g) => ({
      id: g.id,
      displayName: String(g.doc.displayName),
      externalId: typeof g.doc.externalId === "string" ? g.doc.externalId : null,
      memberCount: g.members?.length ?? 0,
    }));
    return { totalResults: res.totalResults, groups };
  }

  async queryAudit(
    tenantId: string,
    q: {
      since?: string;
      until?: string;
      resourceType?: string;
      resourceId?: string;
      cursor?: number;
      limit: number;
    },
  ): Promise<{ entries: readonly AuditEntry[]; nextCursor: number | null }> {
    await this.tenancy.requireTenant(tenantId);
    const entries = await this.store.queryAudit({ ...q, tenantId });
    const last = entries.at(-1);
    return { entries, nextCursor: entries.length === q.limit && last ? last.id : null };
  }

  /**
   * Decides a sign-in from the state at call time: with JIT off a user without a SCIM record is refused;
   * a deactivated user is refused; otherwise the roles are the default roles plus those of its groups.
   */
  async loginCheck(tenantId: string, subject: LoginSubject, audit: AuditRecord): Promise<LoginDecision> {
    const tenant = await this.tenancy.requireTenant(tenantId);
    const found = await this.findSubject(tenantId, subject);
    if (found === "ambiguous")
      return refuse(`externalId ${JSON.stringify(subject.externalId)} matches several users`);
    const config = await this.store.getRoleConfig(tenantId);
    if (!found) {
      if (!tenant.jit || !subject.userName) {
        return refuse(
          tenant.jit
            ? "no SCIM record for this user, and JIT needs a userName to create one"
            : "no SCIM record for this user and JIT provisioning is off for this tenant",
        );
      }
      const created = await this.createJitUser(tenantId, subject, audit);
      const view = toView(created, config);
      return {
        allowed: true,
        reason: "created just in time (JIT); SCIM will adopt it by userName",
        userId: view.id,
        roles: view.roles,
        groups: [],
      };
    }
    const view = toView(found, config);
    if (!view.active)
      return { ...refuse("the user is deactivated (active=false)"), userId: view.id, groups: view.groups };
    return {
      allowed: true,
      reason: "SCIM record found and active",
      userId: view.id,
      roles: view.roles,
      groups: view.groups,
    };
  }

  private async findSubject(
    tenantId: string,
    s: LoginSubject,
  ): Promise<StoredUser | undefined | "ambiguous"> {
    const filter =
      s.userName !== undefined ? eq("userName", s.userName) : eq("externalId", s.externalId ?? "");
    const res = await this.store.listUsers(tenantId, { filter, startIndex: 1, count: 2 }, { groups: true });
    if (res.resources.length > 1) return "ambiguous";
    return res.resources[0];
  }

  private async createJitUser(tenantId: string, s: LoginSubject, audit: AuditRecord): Promise<StoredUser> {
    const a = s.attributes ?? {};
    const name =
      a.givenName || a.familyName ? { givenName: a.givenName, familyName: a.familyName } : undefined;
    const doc = JSON.parse(
      JSON.stringify({
        userName: s.userName,
        externalId: s.externalId,
        displayName: a.displayName,
        active: true,
        name,
        emails: a.email ? [{ type: "work", value: a.email, primary: true }] : undefined,
      }),
    ) as Record<string, unknown>;
    const record = {
      ...audit,
      tenantId,
      operation: "jit-create",
      resourceType: "User",
      summary: `userName=${s.userName}`,
    };
    return this.store.createUser(tenantId, doc, record, "jit");
  }
}

function refuse(reason: string): LoginDecision {
  return { allowed: false, reason, userId: null, roles: [], groups: [] };
}

/** Re-exported for callers that catch it. */
export { RoleConfigError } from "../roles/roles.js";
