/**
 * Applies a directory file to the emulated tenant: seeds users, groups and assignments, and applies the
 * scripted change steps between cycles.
 */
import type { EmulatorContext } from "./context.js";
import type { DirectoryUser } from "./directory.js";
import {
  type DirectoryChange,
  type DirectoryFile,
  DirectoryFileError,
  type DirectoryFileUser,
} from "./directory-file.js";
import { instantiate } from "./routes/application-routes.js";
import { createAssignment, deleteAssignment } from "./routes/assignment-routes.js";
import type { ServicePrincipal } from "./state.js";

/** Resolves file references to object ids. */
export interface SeedResult {
  servicePrincipal?: ServicePrincipal;
  resolveUser(ref: string): string;
  resolveGroup(ref: string): string;
}

function buildResolvers(ctx: EmulatorContext, keys: Map<string, string>) {
  const dir = ctx.state.directory;
  const resolveUser = (ref: string): string => {
    const hit = keys.get(`user:${ref.toLowerCase()}`) ?? (dir.users.has(ref) ? ref : undefined);
    const found =
      hit ??
      [...dir.users.values()].find((u) =>
        [u.userPrincipalName, u.mailNickname].some((v) => v?.toLowerCase() === ref.toLowerCase()),
      )?.id;
    if (!found)
      throw new DirectoryFileError(
        `unknown user '${ref}' (use a key, userPrincipalName, mailNickname or id)`,
      );
    return found;
  };
  const resolveGroup = (ref: string): string => {
    const hit = keys.get(`group:${ref.toLowerCase()}`) ?? (dir.groups.has(ref) ? ref : undefined);
    const found =
      hit ?? [...dir.groups.values()].find((g) => g.displayName.toLowerCase() === ref.toLowerCase())?.id;
    if (!found) throw new DirectoryFileError(`unknown group '${ref}' (use a key, displayName or id)`);
    return found;
  };
  return { resolveUser, resolveGroup };
}

function addUser(ctx: EmulatorContext, keys: Map<string, string>, entry: DirectoryFileUser): DirectoryUser {
  const { key, manager: _m, ...props } = entry;
  const user = ctx.state.directory.addUser(props);
  for (const k of [key, entry.userPrincipalName, entry.mailNickname])
    if (k) keys.set(`user:${k.toLowerCase()}`, user.id);
  return user;
}

/** Seeds a directory file into the tenant; instantiates the app when the file has assignments or `application`. */
export function seedDirectory(ctx: EmulatorContext, file: DirectoryFile): SeedResult {
  const keys = new Map<string, string>();
  const resolvers = buildResolvers(ctx, keys);
  for (const entry of file.users) addUser(ctx, keys, entry);
  for (const entry of file.users) {
    if (entry.manager)
      ctx.state.directory.updateUser(resolvers.resolveUser(entry.userPrincipalName), {
        managerId: resolvers.resolveUser(entry.manager),
      });
  }
  for (const g of file.groups) {
    const group = ctx.state.directory.addGroup({
      id: g.id,
      displayName: g.displayName,
      mailNickname: g.mailNickname,
      description: g.description,
      securityEnabled: g.securityEnabled,
    });
    keys.set(`group:${(g.key ?? g.displayName).toLowerCase()}`, group.id);
    for (const m of g.members) ctx.state.directory.addMember(group.id, resolvers.resolveUser(m));
  }
  const wantsApp = file.application || file.assignments.users.length + file.assignments.groups.length > 0;
  const servicePrincipal = wantsApp
    ? instantiate(ctx, file.application?.displayName ?? "scimgate").sp
    : undefined;
  const seed: SeedResult = { servicePrincipal, ...resolvers };
  if (servicePrincipal) {
    for (const u of file.assignments.users) assign(ctx, seed, resolvers.resolveUser(u));
    for (const g of file.assignments.groups) assign(ctx, seed, resolvers.resolveGroup(g));
  }
  seed.resolveUser = (ref) => buildResolvers(ctx, keys).resolveUser(ref);
  return Object.assign(seed, { keys });
}

function requireSp(seed: SeedResult): ServicePrincipal {
  if (!seed.servicePrincipal)
    throw new DirectoryFileError("assignments need an application: add `application:` to the directory file");
  return seed.servicePrincipal;
}

function assign(ctx: EmulatorContext, seed: SeedResult, principalId: string): void {
  const sp = requireSp(seed);
  // Assign the template's `User` role, read from the service principal, never hard-coded (graph-synchronization.md §1.1).
  const role = sp.appRoles.find((r) => r.displayName === "User") ?? sp.appRoles[0];
  const bypassLag = { ...ctx, consistencyDelayMs: 0 };
  createAssignment(bypassLag, sp, {
    principalId,
    resourceId: sp.id,
    appRoleId: role?.id ?? "00000000-0000-0000-0000-000000000000",
  });
}

function unassign(ctx: EmulatorContext, seed: SeedResult, principalId: string): void {
  const sp = requireSp(seed);
  const found = ctx.state.assignmentsOf(sp.id).filter((a) => a.principalId === principalId);
  if (found.length === 0) throw new DirectoryFileError(`'${principalId}' is not assigned to the application`);
  for (const a of found) deleteAssignment(ctx, a);
}

function principal(seed: SeedResult, change: { user?: string; group?: string }): string {
  return change.user !== undefined ? seed.resolveUser(change.user) : seed.resolveGroup(change.group!);
}

/** Applies one scripted change to the directory. */
export function applyChange(
  ctx: EmulatorContext,
  seed: SeedResult & { keys?: Map<string, string> },
  change: DirectoryChange,
): void {
  const dir = ctx.state.directory;
  const keys = seed.keys ?? new Map<string, string>();
  switch (change.op) {
    case "updateUser": {
      const { manager, ...props } = change.set;
      const managerId =
        manager === undefined ? undefined : manager === null ? null : seed.resolveUser(manager);
      const changes = managerId === undefined ? props : { ...props, managerId: managerId ?? undefined };
      if (manager === null) dir.updateUser(seed.resolveUser(change.user), { ...props, managerId: undefined });
      else dir.updateUser(seed.resolveUser(change.user), changes);
      return;
    }
    case "addUser":
      addUser(ctx, keys, change.user);
      if (change.user.manager)
        dir.updateUser(seed.resolveUser(change.user.userPrincipalName), {
          managerId: seed.resolveUser(change.user.manager),
        });
      return;
    case "addGroup": {
      const g = dir.addGroup({
        id: change.group.id,
        displayName: change.group.displayName,
        mailNickname: change.group.mailNickname,
        description: change.group.description,
        securityEnabled: change.group.securityEnabled,
      });
      keys.set(`group:${(change.group.key ?? change.group.displayName).toLowerCase()}`, g.id);
      for (const m of change.group.members) dir.addMember(g.id, seed.resolveUser(m));
      return;
    }
    case "renameGroup":
      dir.updateGroup(seed.resolveGroup(change.group), { displayName: change.displayName });
      return;
    case "addMember":
      dir.addMember(seed.resolveGroup(change.group), seed.resolveUser(change.member));
      return;
    case "removeMember":
      dir.removeMember(seed.resolveGroup(change.group), seed.resolveUser(change.member));
      return;
    case "assign":
      assign(ctx, seed, principal(seed, change));
      return;
    case "unassign":
      unassign(ctx, seed, principal(seed, change));
      return;
    case "disableUser":
      dir.updateUser(seed.resolveUser(change.user), { accountEnabled: false });
      return;
    case "enableUser":
      dir.updateUser(seed.resolveUser(change.user), { accountEnabled: true });
      return;
    case "softDeleteUser":
      dir.softDeleteUser(seed.resolveUser(change.user));
      return;
    case "restoreUser":
      dir.restoreUser(seed.resolveUser(change.user));
      return;
    case "hardDelete":
      dir.hardDelete(principal(seed, change));
      return;
  }
}
