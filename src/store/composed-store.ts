import type { AuditStore, MetaStore, ResourceStore, RoleStore, Store, TenantStore } from "./store.js";

/** Everything but users and groups: the second half each backend implements. */
export type TenantPart = TenantStore & RoleStore & MetaStore & AuditStore;

/** A Store assembled from a backend's two halves; each backend adds how it closes. */
export abstract class ComposedStore implements Store {
  constructor(
    private readonly r: ResourceStore,
    private readonly t: TenantPart,
  ) {}

  createUser: Store["createUser"] = (...a) => this.r.createUser(...a);
  getUser: Store["getUser"] = (...a) => this.r.getUser(...a);
  listUsers: Store["listUsers"] = (...a) => this.r.listUsers(...a);
  updateUser: Store["updateUser"] = (...a) => this.r.updateUser(...a);
  deleteUser: Store["deleteUser"] = (...a) => this.r.deleteUser(...a);
  createGroup: Store["createGroup"] = (...a) => this.r.createGroup(...a);
  getGroup: Store["getGroup"] = (...a) => this.r.getGroup(...a);
  listGroups: Store["listGroups"] = (...a) => this.r.listGroups(...a);
  updateGroup: Store["updateGroup"] = (...a) => this.r.updateGroup(...a);
  deleteGroup: Store["deleteGroup"] = (...a) => this.r.deleteGroup(...a);

  createTenant: Store["createTenant"] = (...a) => this.t.createTenant(...a);
  getTenant: Store["getTenant"] = (...a) => this.t.getTenant(...a);
  listTenants: Store["listTenants"] = () => this.t.listTenants();
  updateTenant: Store["updateTenant"] = (...a) => this.t.updateTenant(...a);
  deleteTenant: Store["deleteTenant"] = (...a) => this.t.deleteTenant(...a);
  createKey: Store["createKey"] = (...a) => this.t.createKey(...a);
  getKey: Store["getKey"] = (...a) => this.t.getKey(...a);
  listKeys: Store["listKeys"] = (...a) => this.t.listKeys(...a);
  revokeKey: Store["revokeKey"] = (...a) => this.t.revokeKey(...a);
  touchKey: Store["touchKey"] = (...a) => this.t.touchKey(...a);
  getRoleConfig: Store["getRoleConfig"] = (...a) => this.t.getRoleConfig(...a);
  putRoleConfig: Store["putRoleConfig"] = (...a) => this.t.putRoleConfig(...a);
  getOrInitMeta: Store["getOrInitMeta"] = (...a) => this.t.getOrInitMeta(...a);
  appendAudit: Store["appendAudit"] = (...a) => this.t.appendAudit(...a);
  queryAudit: Store["queryAudit"] = (...a) => this.t.queryAudit(...a);
  pruneAudit: Store["pruneAudit"] = (...a) => this.t.pruneAudit(...a);

  abstract close(): Promise<void>;
}
