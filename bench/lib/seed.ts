import { openStore, systemAudit } from "../../src/main.js";
import { parseResource } from "../../src/scim/resource.js";
import { USER_RESOURCE } from "../../src/scim/schema-defs.js";
import { Tenancy } from "../../src/tenancy/tenancy.js";
import { type Directory, SEED_TIME } from "./directory.js";

/**
 * Direct seeding of large directories (bypassing HTTP, documented in bench/README.md): rows are what the
 * store itself writes for a POST (the same `parseResource` normalisation, the same columns), inserted in
 * large batched transactions. Only the initial-sync scenario creates objects over HTTP.
 */

/** One user row as both backends store it. */
export interface UserRow {
  readonly id: string;
  readonly userName: string;
  readonly externalId: string;
  readonly displayName: string;
  readonly doc: string;
  readonly email: string;
  readonly created: string;
}

/** One group row. */
export interface GroupRow {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string;
  readonly doc: string;
  readonly created: string;
}

/** A backend's bulk writer. */
export interface Seeder {
  insertUsers(rows: readonly UserRow[]): Promise<void>;
  insertGroups(rows: readonly GroupRow[]): Promise<void>;
  /** Memberships as [groupId, userId] pairs (users only). */
  insertMembers(pairs: readonly (readonly [string, string])[]): Promise<void>;
  /** Bytes the database occupies now. */
  sizeBytes(): Promise<number>;
  /**
   * Brings the database to the state a deployment's own maintenance keeps it in, after a bulk load that
   * no real directory arrives in: PostgreSQL's autovacuum (visibility map, hint bits, statistics) would
   * otherwise still be catching up while the lookups run. SQLite: nothing (scimgate never ANALYZEs it).
   */
  settle(): Promise<void>;
  /**
   * Reads the whole database once into the OS page cache, outside any timed run; returns the bytes read.
   * This VM pages out memory idle for a minute, page cache included (see bench/lib/machine.ts), so the
   * scenarios would otherwise measure a database partly on disk, which no server in its steady state has.
   */
  warm(): Promise<number>;
  close(): Promise<void>;
}

/** The stored row of directory user `i`. */
export function userRow(dir: Directory, i: number): UserRow {
  const { doc } = parseResource(USER_RESOURCE, dir.userBody(i));
  return {
    id: dir.userId(i),
    userName: String(doc.userName),
    externalId: String(doc.externalId),
    displayName: String(doc.displayName),
    doc: JSON.stringify(doc),
    email: dir.userName(i),
    created: new Date(SEED_TIME + i).toISOString(),
  };
}

/** The stored row of directory group `j`. */
export function groupRow(dir: Directory, j: number, name = dir.groupName(j)): GroupRow {
  const body = dir.groupBody(j);
  const doc = { externalId: body.externalId, displayName: name };
  return {
    id: dir.groupId(j),
    displayName: name,
    externalId: String(body.externalId),
    doc: JSON.stringify(doc),
    created: new Date(SEED_TIME + j).toISOString(),
  };
}

/** Creates the bench tenant and a Secret Token for it through the service's own Tenancy. */
export async function createBenchTenant(databaseUrl: string, name: string) {
  const store = await openStore(databaseUrl);
  try {
    const tenancy = await Tenancy.open(store);
    const t = await tenancy.createTenant(name, false, systemAudit("create", "Tenant", name));
    const k = await tenancy.createKey("tenant", t.id, {}, systemAudit("create", "AccessKey", name));
    return { tenantId: t.id, token: k.token };
  } finally {
    await store.close();
  }
}

/** How many groups a directory of `users` has (one per 100 users, Entra-typical ratio). */
export function groupCount(users: number): number {
  return Math.max(10, Math.floor(users / 100));
}

/** The groups user `i` belongs to in a seeded directory: all-staff, one department, one team. */
export function membershipsOf(i: number, groups: number): number[] {
  const team = 9 + ((Math.imul(i + 1, 0x9e3779b1) >>> 0) % Math.max(1, groups - 9));
  return [0, 1 + (i % 8), team];
}

/** Seeds users `[from, to)` and the groups a directory of `to` users has, with their memberships. */
export async function seedDirectory(s: Seeder, dir: Directory, from: number, to: number): Promise<void> {
  const batch = 5000;
  await s.insertGroups(range(from === 0 ? 0 : groupCount(from), groupCount(to)).map((j) => groupRow(dir, j)));
  for (let a = from; a < to; a += batch) {
    const idx = range(a, Math.min(to, a + batch));
    await s.insertUsers(idx.map((i) => userRow(dir, i)));
    const g = groupCount(to);
    await s.insertMembers(
      idx.flatMap((i) => membershipsOf(i, g).map((j) => [dir.groupId(j), dir.userId(i)] as const)),
    );
  }
}

/** `[a, b)` as an array. */
export function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, k) => a + k);
}
