import type { Filter } from "../scim/filter/ast.js";
import type { MemberDelta, ScimDoc } from "../scim/types.js";
import type { DocChange } from "./doc-change.js";

/** A customer tenant. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** Just-in-time user creation at login; off by default once SCIM is on (Descope guide). */
  readonly jit: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a key is for: a tenant's SCIM Secret Token, or a management key for the admin API. */
export type KeyKind = "tenant" | "management";

/** An access key as stored: the secret only as a keyed hash. */
export interface AccessKey {
  readonly id: string;
  readonly kind: KeyKind;
  /** The tenant a tenant key is bound to; `null` for management keys. */
  readonly tenantId: string | null;
  readonly description: string;
  readonly secretHash: Buffer;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** A stored User or Group: its attributes plus server-managed metadata. */
export interface StoredResource {
  readonly id: string;
  readonly doc: ScimDoc;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
}

/** A group member as listed on the group. */
export interface GroupMember {
  readonly value: string;
  readonly type: "User" | "Group";
  readonly display: string | undefined;
}

/** A stored group, with members when they were asked for. */
export interface StoredGroup extends StoredResource {
  readonly members?: readonly GroupMember[];
}

/** A direct group membership of a user (the User `groups` attribute). */
export interface UserGroupRef {
  readonly value: string;
  readonly display: string;
  readonly externalId: string | null;
}

/** How a user came to exist: pushed by SCIM, or created at login by JIT (adopted by SCIM later). */
export type UserOrigin = "scim" | "jit";

/** A stored user, with its direct groups when they were asked for. */
export interface StoredUser extends StoredResource {
  readonly groups?: readonly UserGroupRef[];
  readonly origin?: UserOrigin;
}

/** A role a tenant defines. */
export interface RoleDef {
  readonly name: string;
  readonly description?: string;
}

/** A group-to-roles mapping, keyed by the group's `externalId` (Entra objectId) or `displayName`. */
export interface RoleMapping {
  readonly group: { readonly externalId: string } | { readonly displayName: string };
  readonly roles: readonly string[];
}

/** A tenant's whole role configuration, replaced declaratively as one document. */
export interface RoleConfig {
  readonly roles: readonly RoleDef[];
  readonly defaultRoles: readonly string[];
  readonly mappings: readonly RoleMapping[];
}

/** A list query after parsing: 1-based `startIndex`, `count` already capped. */
export interface ListQuery {
  readonly filter?: Filter;
  readonly startIndex: number;
  readonly count: number;
  readonly sortBy?: string;
  readonly sortOrder?: "ascending" | "descending";
}

/** One page of a list query. */
export interface ListPage<T> {
  readonly totalResults: number;
  readonly resources: readonly T[];
}

/** What an audited write records, in the same transaction as the write. */
export interface AuditContext {
  readonly tenantId: string | null;
  /** The access key (tenant or management) that made the change. */
  readonly keyId: string | null;
  readonly requestId: string;
}

/** One audit record. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly tenantId: string | null;
  readonly keyId: string | null;
  readonly requestId: string;
  readonly operation: string;
  readonly resourceType: string;
  readonly resourceId: string | null;
  readonly outcome: string;
  readonly summary: string;
}

/** An audit record to write: the store stamps `id` and `at`. */
export type AuditRecord = Omit<AuditEntry, "id" | "at">;

/** Audit query: every field optional; `cursor` is the last `id` of the previous page. */
export interface AuditQuery {
  readonly tenantId?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly since?: string;
  readonly until?: string;
  readonly cursor?: number;
  readonly limit: number;
}

/** Options of a conditional write: `ifMatch` is the version the client last saw (RFC 7644 §3.14). */
export interface WriteOptions {
  readonly ifMatch?: number;
}

/** Error codes a store raises; each backend translates its driver's errors into these. */
export type StoreErrorCode = "conflict" | "not_found" | "precondition_failed" | "unavailable" | "invalid";

/** A store failure the HTTP layer maps to a status (conflict → 409, unavailable → 503, …). */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For conflicts: the attribute that must be unique (`userName`, `displayName`, `name`). */
  readonly attribute: string | undefined;

  constructor(code: StoreErrorCode, message: string, attribute?: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
    this.attribute = attribute;
  }
}

/** Users and groups of one tenant. Every method is one transaction; audit rows commit with it. */
export interface ResourceStore {
  /** Creates a user; `origin` is "jit" for users created at login. */
  createUser(tenantId: string, doc: ScimDoc, audit: AuditRecord, origin?: UserOrigin): Promise<StoredUser>;
  getUser(tenantId: string, id: string, opts?: { groups?: boolean }): Promise<StoredUser | undefined>;
  listUsers(tenantId: string, query: ListQuery, opts?: { groups?: boolean }): Promise<ListPage<StoredUser>>;
  updateUser(
    tenantId: string,
    id: string,
    change: DocChange,
    opts: WriteOptions,
    audit: AuditRecord,
  ): Promise<StoredUser>;
  deleteUser(tenantId: string, id: string, opts: WriteOptions, audit: AuditRecord): Promise<void>;

  createGroup(
    tenantId: string,
    doc: ScimDoc,
    members: readonly string[],
    audit: AuditRecord,
  ): Promise<StoredGroup>;
  getGroup(tenantId: string, id: string, opts?: { members?: boolean }): Promise<StoredGroup | undefined>;
  listGroups(
    tenantId: string,
    query: ListQuery,
    opts?: { members?: boolean },
  ): Promise<ListPage<StoredGroup>>;
  /** Applies attribute changes and a member delta in O(delta), never reading the member list. */
  updateGroup(
    tenantId: string,
    id: string,
    change: DocChange,
    members: MemberDelta | undefined,
    opts: WriteOptions,
    audit: AuditRecord,
  ): Promise<StoredGroup>;
  deleteGroup(tenantId: string, id: string, opts: WriteOptions, audit: AuditRecord): Promise<void>;
}

/** Tenants and their keys. */
export interface TenantStore {
  createTenant(input: { name: string; jit?: boolean }, audit: AuditRecord): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | undefined>;
  listTenants(): Promise<readonly Tenant[]>;
  updateTenant(id: string, patch: { name?: string; jit?: boolean }, audit: AuditRecord): Promise<Tenant>;
  /** Deletes the tenant with all its users, groups, keys, roles and mappings. */
  deleteTenant(id: string, audit: AuditRecord): Promise<void>;

  createKey(key: Omit<AccessKey, "revokedAt" | "lastUsedAt">, audit: AuditRecord): Promise<AccessKey>;
  getKey(id: string): Promise<AccessKey | undefined>;
  /**
   * `getKey` without waiting, for backends that can read a key synchronously (SQLite); absent on the
   * others. For authenticating requests only: the key it returns is shared, never to be modified.
   */
  authKeySync?(id: string): AccessKey | undefined;
  listKeys(filter: { kind: KeyKind; tenantId?: string }): Promise<readonly AccessKey[]>;
  revokeKey(id: string, audit: AuditRecord): Promise<AccessKey>;
  /** Records use of a key; callers throttle how often they call it. */
  touchKey(id: string, at: string): Promise<void>;
}

/** Roles and group-to-role mappings per tenant. */
export interface RoleStore {
  /** The tenant's role configuration (empty when never set). */
  getRoleConfig(tenantId: string): Promise<RoleConfig>;
  /**
   * Replaces the tenant's role configuration; a document equal to the stored one is a no-op
   * (`changed: false`, no audit row). The caller validates the document first.
   */
  putRoleConfig(tenantId: string, config: RoleConfig, audit: AuditRecord): Promise<{ changed: boolean }>;
}

/** Deployment-wide settings (project id, token pepper). */
export interface MetaStore {
  /** Returns the stored value of `key`, storing `value` first if there was none. */
  getOrInitMeta(key: string, value: string): Promise<string>;
}

/** The audit trail. */
export interface AuditStore {
  /** Writes an audit row on its own (for failed requests, whose own transaction rolled back). */
  appendAudit(record: AuditRecord): Promise<void>;
  queryAudit(query: AuditQuery): Promise<readonly AuditEntry[]>;
  /** Deletes audit rows older than `before`; returns how many. */
  pruneAudit(before: string): Promise<number>;
}

/** Everything scimgate stores. One interface, one implementation per backend. */
export interface Store extends ResourceStore, TenantStore, RoleStore, MetaStore, AuditStore {
  close(): Promise<void>;
}
