/**
 * The emulated tenant directory: users, groups and their members, with the change tracking a provisioning
 * cycle needs. Every mutation bumps the touched objects' `version` from one tenant-wide sequence; an
 * incremental cycle processes objects whose version is past the job's watermark (entra-scim-client.md §3,
 * "Graph delta query for objects changed since the watermark").
 */
import { resourceNotFound } from "./graph-errors.js";
import { newObjectId } from "./ids.js";

/** The user properties the default mappings read (entra-scim-client.md §1.4), all optional strings. */
export const USER_STRING_PROPERTIES = [
  "userPrincipalName",
  "displayName",
  "givenName",
  "surname",
  "mail",
  "mailNickname",
  "jobTitle",
  "department",
  "employeeId",
  "preferredLanguage",
  "physicalDeliveryOfficeName",
  "streetAddress",
  "city",
  "state",
  "postalCode",
  "country",
  "telephoneNumber",
  "mobile",
  "facsimileTelephoneNumber",
  "companyName",
  "employeeType",
  "usageLocation",
] as const;

/** One of the string properties of a directory user. */
export type UserStringProperty = (typeof USER_STRING_PROPERTIES)[number];

/** A directory user; `deletedAt` marks a soft delete (the 30-day recycle bin). */
export type DirectoryUser = { [K in UserStringProperty]?: string } & {
  id: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  managerId?: string;
  createdAt: number;
  deletedAt?: number;
  version: number;
};

/** A directory group with direct members (user or group ids). */
export interface DirectoryGroup {
  id: string;
  displayName: string;
  mailNickname?: string;
  description?: string;
  securityEnabled: boolean;
  mailEnabled: boolean;
  memberIds: Set<string>;
  createdAt: number;
  version: number;
}

/** A hard-deleted object, kept so an incremental cycle can send DELETE. */
export interface Tombstone {
  id: string;
  type: "User" | "Group";
  version: number;
}

/** Input for a new user; `id` defaults to a fresh GUID. */
export type NewUser = Omit<DirectoryUser, "id" | "createdAt" | "version" | "accountEnabled"> & {
  id?: string;
  accountEnabled?: boolean;
};

/** Input for a new group; members are object ids. */
export interface NewGroup {
  id?: string;
  displayName: string;
  mailNickname?: string;
  description?: string;
  securityEnabled?: boolean;
  mailEnabled?: boolean;
  memberIds?: readonly string[];
}

/** The tenant directory with change tracking. */
export class Directory {
  readonly users = new Map<string, DirectoryUser>();
  readonly groups = new Map<string, DirectoryGroup>();
  readonly tombstones = new Map<string, Tombstone>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  /** The latest change sequence number (a job's watermark after a cycle). */
  get sequence(): number {
    return this.seq;
  }

  /** Bumps an object's version; returns the new sequence number. */
  touch(id: string): number {
    const next = ++this.seq;
    const obj = this.users.get(id) ?? this.groups.get(id);
    if (obj) obj.version = next;
    return next;
  }

  /** Adds a user and returns it. */
  addUser(input: NewUser): DirectoryUser {
    const user: DirectoryUser = {
      ...input,
      id: input.id ?? newObjectId(),
      accountEnabled: input.accountEnabled ?? true,
      createdAt: this.now(),
      version: ++this.seq,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** Adds a group (members must exist) and returns it. */
  addGroup(input: NewGroup): DirectoryGroup {
    const group: DirectoryGroup = {
      id: input.id ?? newObjectId(),
      displayName: input.displayName,
      mailNickname: input.mailNickname,
      description: input.description,
      securityEnabled: input.securityEnabled ?? true,
      mailEnabled: input.mailEnabled ?? false,
      memberIds: new Set(),
      createdAt: this.now(),
      version: ++this.seq,
    };
    this.groups.set(group.id, group);
    for (const member of input.memberIds ?? []) this.addMember(group.id, member);
    return group;
  }

  /** Returns a user (soft-deleted ones included) or throws Graph's 404. */
  user(id: string): DirectoryUser {
    const user = this.users.get(id);
    if (!user) throw resourceNotFound(id);
    return user;
  }

  /** Returns a group or throws Graph's 404. */
  group(id: string): DirectoryGroup {
    const group = this.groups.get(id);
    if (!group) throw resourceNotFound(id);
    return group;
  }

  /** Sets user properties (`undefined` clears one) and bumps its version. */
  updateUser(
    id: string,
    changes: Partial<Omit<DirectoryUser, "id" | "createdAt" | "version">>,
  ): DirectoryUser {
    const user = this.user(id);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === null) delete (user as Record<string, unknown>)[key];
      else (user as Record<string, unknown>)[key] = value;
    }
    this.touch(id);
    return user;
  }

  /** Renames or edits a group. */
  updateGroup(
    id: string,
    changes: Partial<Pick<DirectoryGroup, "displayName" | "description" | "mailNickname">>,
  ) {
    Object.assign(this.group(id), changes);
    this.touch(id);
  }

  /** Adds a direct member; bumps the group and the member (its scope may change). */
  addMember(groupId: string, memberId: string): void {
    if (!this.users.has(memberId) && !this.groups.has(memberId)) throw resourceNotFound(memberId);
    this.group(groupId).memberIds.add(memberId);
    this.touch(groupId);
    this.touch(memberId);
  }

  /** Removes a direct member; bumps both sides. */
  removeMember(groupId: string, memberId: string): void {
    const group = this.group(groupId);
    if (!group.memberIds.delete(memberId)) throw resourceNotFound(memberId);
    this.touch(groupId);
    this.touch(memberId);
  }

  /** Soft-deletes a user (recycle bin): it stays addressable by the engine as IsSoftDeleted. */
  softDeleteUser(id: string): void {
    this.user(id).deletedAt = this.now();
    this.touch(id);
  }

  /** Restores a soft-deleted user. */
  restoreUser(id: string): void {
    delete this.user(id).deletedAt;
    this.touch(id);
  }

  /** Permanently deletes a user or group, leaving a tombstone for the next cycle. */
  hardDelete(id: string): void {
    const type = this.users.has(id) ? "User" : this.groups.has(id) ? "Group" : undefined;
    if (!type) throw resourceNotFound(id);
    for (const group of this.groups.values()) {
      if (group.memberIds.delete(id)) this.touch(group.id);
    }
    if (type === "User") this.users.delete(id);
    else this.groups.delete(id);
    this.tombstones.set(id, { id, type, version: ++this.seq });
  }

  /** Active (not soft-deleted) users. */
  liveUsers(): DirectoryUser[] {
    return [...this.users.values()].filter((u) => u.deletedAt === undefined);
  }

  /** Groups that contain the object directly. */
  groupsOf(memberId: string): DirectoryGroup[] {
    return [...this.groups.values()].filter((g) => g.memberIds.has(memberId));
  }
}
