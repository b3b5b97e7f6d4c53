/**
 * Applies a directory file to the emulated tenant: seeds users, groups and assignments, and applies the
 * scripted change steps between cycles.
 */
import type { EmulatorContext } from "./context.js";
import {
  type DirectoryChange,
  type DirectoryFile,
  DirectoryFileError,
  type DirectoryFileGroup,
  type DirectoryFileUser,
} from "./directory-file.js";
import { instantiate } from "./routes/application-routes.js";
import { createAssignment, deleteAssignment } from "./routes/assignment-routes.js";
import type { ServicePrincipal } from "./state.js";

type ChangeOf<K extends DirectoryChange["op"]> = Extract<DirectoryChange, { op: K }>;
type Handlers = { [K in DirectoryChange["op"]]: (change: ChangeOf<K>) => void };

/** A seeded tenant: resolves the file's references and applies its change steps. */
export class DirectorySeed {
  private readonly keys = new Map<string, string>();
  servicePrincipal?: ServicePrincipal;

  constructor(private readonly ctx: EmulatorContext) {}

  private get dir() {
    return this.ctx.state.directory;
  }

  /** A user id from a key, userPrincipalName, mailNickname or id. */
  resolveUser(ref: string): string {
    const hit = this.keys.get(`user:${ref.toLowerCase()}`) ?? (this.dir.users.has(ref) ? ref : undefined);
    const match = (v: string | undefined) => v?.toLowerCase() === ref.toLowerCase();
    const found =
      hit ??
      [...this.dir.users.values()].find((u) => match(u.userPrincipalName) || match(u.mailNickname))?.id;
    if (!found)
      throw new DirectoryFileError(
        `unknown user '${ref}' (use a key, userPrincipalName, mailNickname or id)`,
      );
    return found;
  }

  /** A group id from a key, displayName or id. */
  resolveGroup(ref: string): string {
    const hit = this.keys.get(`group:${ref.toLowerCase()}`) ?? (this.dir.groups.has(ref) ? ref : undefined);
    const found =
      hit ?? [...this.dir.groups.values()].find((g) => g.displayName.toLowerCase() === ref.toLowerCase())?.id;
    if (!found) throw new DirectoryFileError(`unknown group '${ref}' (use a key, displayName or id)`);
    return found;
  }

  /** Adds a user (its manager is linked separately, once every user exists). */
  addUser(entry: DirectoryFileUser): string {
    const { key, manager: _manager, ...props } = entry;
    const user = this.dir.addUser(props);
    for (const k of [key, entry.userPrincipalName, entry.mailNickname])
      if (k) this.keys.set(`user:${k.toLowerCase()}`, user.id);
    return user.id;
  }

  /** Adds a group with its members. */
  addGroup(entry: DirectoryFileGroup): string {
    const { key, members, ...props } = entry;
    const group = this.dir.addGroup(props);
    this.keys.set(`group:${(key ?? entry.displayName).toLowerCase()}`, group.id);
    for (const m of members) this.dir.addMember(group.id, this.resolveUser(m));
    return group.id;
  }

  /** Links a user to its manager. */
  setManager(userRef: string, managerRef: string | undefined): void {
    if (managerRef)
      this.dir.updateUser(this.resolveUser(userRef), { managerId: this.resolveUser(managerRef) });
  }

  private requireSp(): ServicePrincipal {
    if (!this.servicePrincipal)
      throw new DirectoryFileError(
        "assignments need an application: add `application:` to the directory file",
      );
    return this.servicePrincipal;
  }

  /** Assigns the template's `User` role, read from the service principal (graph-synchronization.md §1.1). */
  assign(principalId: string): void {
    const sp = this.requireSp();
    const role = sp.appRoles.find((r) => r.displayName === "User") ?? sp.appRoles[0];
    const withoutLag = { ...this.ctx, consistencyDelayMs: 0 };
    createAssignment(withoutLag, sp, {
      principalId,
      resourceId: sp.id,
      appRoleId: role?.id ?? "00000000-0000-0000-0000-000000000000",
    });
  }

  /** Removes every assignment of the principal. */
  unassign(principalId: string): void {
    const found = this.ctx.state
      .assignmentsOf(this.requireSp().id)
      .filter((a) => a.principalId === principalId);
    if (found.length === 0)
      throw new DirectoryFileError(`'${principalId}' is not assigned to the application`);
    for (const a of found) deleteAssignment(this.ctx, a);
  }

  private principal(change: { user?: string; group?: string }): string {
    return change.user !== undefined ? this.resolveUser(change.user) : this.resolveGroup(change.group!);
  }

  private readonly handlers: Handlers = {
    updateUser: ({ user, set }) => {
      const { manager, ...props } = set;
      const managerId =
        manager === undefined ? {} : { managerId: manager === null ? undefined : this.resolveUser(manager) };
      this.dir.updateUser(this.resolveUser(user), { ...props, ...managerId });
    },
    addUser: ({ user }) => {
      this.addUser(user);
      this.setManager(user.userPrincipalName, user.manager);
    },
    addGroup: ({ group }) => void this.addGroup(group),
    renameGroup: ({ group, displayName }) => this.dir.updateGroup(this.resolveGroup(group), { displayName }),
    addMember: ({ group, member }) => this.dir.addMember(this.resolveGroup(group), this.resolveUser(member)),
    removeMember: ({ group, member }) =>
      this.dir.removeMember(this.resolveGroup(group), this.resolveUser(member)),
    assign: (change) => this.assign(this.principal(change)),
    unassign: (change) => this.unassign(this.principal(change)),
    disableUser: ({ user }) => void this.dir.updateUser(this.resolveUser(user), { accountEnabled: false }),
    enableUser: ({ user }) => void this.dir.updateUser(this.resolveUser(user), { accountEnabled: true }),
    softDeleteUser: ({ user }) => this.dir.softDeleteUser(this.resolveUser(user)),
    restoreUser: ({ user }) => this.dir.restoreUser(this.resolveUser(user)),
    hardDelete: (change) => this.dir.hardDelete(this.principal(change)),
  };

  /** Applies one scripted change to the directory. */
  apply(change: DirectoryChange): void {
    (this.handlers[change.op] as (c: DirectoryChange) => void)(change);
  }
}

/** Seeds a directory file into the tenant; instantiates the app when the file has assignments or `application`. */
export function seedDirectory(ctx: EmulatorContext, file: DirectoryFile): DirectorySeed {
  const seed = new DirectorySeed(ctx);
  for (const entry of file.users) seed.addUser(entry);
  for (const entry of file.users) seed.setManager(entry.userPrincipalName, entry.manager);
  for (const entry of file.groups) seed.addGroup(entry);
  const wantsApp = file.application || file.assignments.users.length + file.assignments.groups.length > 0;
  if (wantsApp) seed.servicePrincipal = instantiate(ctx, file.application?.displayName ?? "scimgate").sp;
  for (const u of file.assignments.users) seed.assign(seed.resolveUser(u));
  for (const g of file.assignments.groups) seed.assign(seed.resolveGroup(g));
  return seed;
}
