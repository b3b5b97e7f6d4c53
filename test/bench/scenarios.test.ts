import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedMemberGroups } from "../../bench/lib/backend-run.js";
import { type BenchDatabase, createDatabase } from "../../bench/lib/databases.js";
import { Directory } from "../../bench/lib/directory.js";
import { createBenchTenant, groupCount, seedDirectory } from "../../bench/lib/seed.js";
import { type BenchConfig, benchConfig, type Seeded, type Target } from "../../bench/scenarios/context.js";
import { measureInitialSync } from "../../bench/scenarios/initial-sync.js";
import { LOOKUP_KINDS, measureLookups } from "../../bench/scenarios/lookups.js";
import { measureMembership } from "../../bench/scenarios/membership.js";
import { MIX_KINDS, measureMix, measureMixKinds } from "../../bench/scenarios/mix.js";
import { type RunningService, startService } from "../../src/main.js";

/**
 * The bench's scenarios, small, against scimgate in this process on a directly seeded SQLite directory:
 * every request the bench times must be one scimgate accepts and answers rightly, or the bench would time
 * error answers (a refused PATCH costs a fraction of an applied one).
 */
const USERS = 1_500;

const cfg: BenchConfig = {
  ...benchConfig(true, 7),
  memberSizes: [10, 200],
  syncUsers: 120,
  syncGroups: 12,
  memberBatch: 25,
  lookupRequests: 40,
  memberPairs: 15,
  mixConcurrency: 8,
  mixSeconds: 0.3,
  kindSeconds: 0.15,
  warmupSeconds: 0.1,
  repetitions: 1,
};

let db: BenchDatabase;
let svc: RunningService;
let target: Target;
let seeded: Seeded;

beforeAll(async () => {
  db = await createDatabase("sqlite");
  const tenant = await createBenchTenant(db.url, "bench");
  const seeder = db.seeder(tenant.tenantId);
  const dir = new Directory(cfg.seed);
  await seedDirectory(seeder, dir, 0, USERS);
  const memberGroups = new Map<number, string>();
  await seedMemberGroups(seeder, dir, cfg.memberSizes, USERS, memberGroups);
  await seeder.close();
  svc = await startService({ databaseUrl: db.url, port: 0, logger: false });
  target = { port: Number(new URL(svc.url).port), token: tenant.token };
  seeded = { dir, users: USERS, groups: groupCount(USERS), memberGroups };
});

afterAll(async () => {
  await svc?.close();
  await db?.drop();
});

/** The members of a group, as scimgate answers them. */
async function members(groupId: string): Promise<string[]> {
  const res = await fetch(`${svc.scimUrl}/Groups/${groupId}`, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { members?: { value: string }[] };
  return (body.members ?? []).map((m) => m.value).sort();
}

describe("the bench's scenarios against scimgate", () => {
  it("finds exactly the seeded object with each of Entra's lookups", async () => {
    const results = await measureLookups(target, undefined, seeded, cfg);
    expect(results.map((r) => r.kind)).toEqual(LOOKUP_KINDS);
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.latency.count).toBe(cfg.lookupRequests);
    }
  });

  it("refuses to time a lookup that misses", async () => {
    // The same user indexes in a directory of another seed: none of its userNames is in scimgate.
    const stranger = { ...seeded, dir: new Directory(cfg.seed + 1) };
    await expect(measureLookups(target, undefined, stranger, cfg)).rejects.toThrow("lookup userName missed");
  });

  it("adds and removes a member of each seeded group size, leaving the groups as seeded", async () => {
    const before = await members(seeded.memberGroups.get(200)!);
    expect(before).toHaveLength(200);
    const results = await measureMembership(target, seeded, cfg);
    expect(results.map((r) => r.members)).toEqual([10, 200]);
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.add.count).toBe(cfg.memberPairs);
      expect(r.remove.count).toBe(cfg.memberPairs);
    }
    expect(await members(seeded.memberGroups.get(200)!)).toEqual(before);
  });

  it("runs the incremental mix and each of its kinds without one error answer", async () => {
    const [mix] = await measureMix(target, undefined, seeded, cfg);
    expect(mix?.errors).toBe(0);
    expect(mix?.latency.count).toBeGreaterThan(50);
    const kinds = await measureMixKinds(target, seeded, cfg);
    expect(kinds.map((k) => k.kind)).toEqual(MIX_KINDS.map((k) => k.kind));
    for (const k of kinds) {
      expect(k.errors, k.kind).toBe(0);
      expect(k.latency.count, k.kind).toBeGreaterThan(0);
    }
    expect(MIX_KINDS.reduce((a, k) => a + k.share, 0)).toBeCloseTo(1, 10);
  });

  it("counts the mix's error answers when scimgate refuses its requests", async () => {
    const [mix] = await measureMix({ ...target, token: "not-a-key" }, undefined, seeded, cfg);
    expect(mix?.errors).toBe(mix?.latency.count);
    expect(mix?.sampleErrors[0]).toMatch(/ → 401 /);
  });

  it("syncs a fresh directory over HTTP: every user, group and membership created", async () => {
    // Its own tenant, as the bench's sync pass has, made as the bench makes it: through another connection
    // to the file the running service has open.
    const key = await createBenchTenant(db.url, "bench-sync");
    const dir = new Directory(cfg.seed + 1);
    const sync = await measureInitialSync({ port: target.port, token: key.token }, dir, cfg);
    expect(sync.phases.map((p) => [p.name, p.errors])).toEqual([
      ["users", 0],
      ["groups", 0],
      ["members", 0],
    ]);
    let expected = 0;
    for (let j = 0; j < cfg.syncGroups; j++) expected += dir.groupSize(j, cfg.syncGroups, cfg.syncUsers);
    expect(sync.memberships).toBe(expected);
    const res = await fetch(`${svc.scimUrl}/Users?count=0`, {
      headers: { authorization: `Bearer ${key.token}` },
    });
    expect(((await res.json()) as { totalResults: number }).totalResults).toBe(cfg.syncUsers);
  });
});
