import { performance } from "node:perf_hooks";
import type { BenchConfig, Seeded } from "../scenarios/context.js";
import { measureInitialSync, type SyncResult } from "../scenarios/initial-sync.js";
import { type LookupResult, measureLookups } from "../scenarios/lookups.js";
import { type MembershipResult, measureMembership } from "../scenarios/membership.js";
import { type MixKindResult, type MixResult, measureMix, measureMixKinds } from "../scenarios/mix.js";
import { type BackendName, createDatabase } from "./databases.js";
import { Directory } from "./directory.js";
import { type ServerProcess, spawnServer } from "./processes.js";
import type { BackendResult, BaselineResult, SizeResult } from "./results.js";
import { createBenchTenant, groupCount, groupRow, range, type Seeder, seedDirectory } from "./seed.js";

/** Where progress lines go (stderr, so stdout carries only the final table). */
export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Ids of seeded membership groups start here, far past any directory group index. */
const MEMBER_GROUP_BASE = 50_000_000;

/** Seeds one group per size in `sizes` with exactly that many members (users 0 … size-1), once each. */
export async function seedMemberGroups(
  s: Seeder,
  dir: Directory,
  sizes: readonly number[],
  users: number,
  done: Map<number, string>,
) {
  for (const size of sizes) {
    if (done.has(size) || size > users - 1_000) continue;
    const row = groupRow(dir, MEMBER_GROUP_BASE + size, `bench-members-${size}`);
    await s.insertGroups([row]);
    for (let a = 0; a < size; a += 10_000) {
      await s.insertMembers(
        range(a, Math.min(size, a + 10_000)).map((i) => [row.id, dir.userId(i)] as const),
      );
    }
    done.set(size, row.id);
  }
}

interface Servers {
  readonly sg: ServerProcess;
  readonly base: ServerProcess | undefined;
}

async function startServers(
  url: string,
  sqliteFile: string | undefined,
  tenantId: string,
  profDir?: string,
): Promise<Servers> {
  const sg = await spawnServer("server", {
    env: { BENCH_DATABASE_URL: url },
    ...(profDir ? { cpuProfDir: profDir } : {}),
  });
  const base = sqliteFile
    ? await spawnServer("baseline-server", {
        env: { BENCH_SQLITE_FILE: sqliteFile, BENCH_TENANT_ID: tenantId },
      })
    : undefined;
  return { sg, base };
}

/** Mutable collectors of one backend pass. */
interface Pass {
  sizes: SizeResult[];
  membership: MembershipResult[];
  mix: MixResult | undefined;
  mixKinds: MixKindResult[];
  baselineLookups: LookupResult[];
  baselineMix: MixResult | undefined;
}

async function runSize(
  pass: Pass,
  cfg: BenchConfig,
  s: Seeded,
  servers: Servers,
  token: string,
  last: boolean,
  warm: () => Promise<void>,
) {
  const sg = {
    port: servers.sg.port,
    token,
    serverCpu: servers.sg.cpuSeconds,
    serverMainCpu: servers.sg.mainThreadCpuSeconds,
  };
  const b = servers.base;
  const base = b
    ? { port: b.port, token: "", serverCpu: b.cpuSeconds, serverMainCpu: b.mainThreadCpuSeconds }
    : undefined;
  const runs = new Set(cfg.only);
  let lookups: LookupResult[] = [];
  if (runs.has("lookups")) {
    await warm();
    progress(`lookups at ${s.users} users`);
    lookups = await measureLookups(sg, base, s, cfg);
  }
  pass.baselineLookups.push(...lookups.filter((l) => l.kind === "baseline"));
  if (last) {
    if (runs.has("membership")) {
      await warm();
      progress(`membership PATCH at ${s.users} users`);
      pass.membership = await measureMembership(sg, s, cfg);
    }
    if (runs.has("mix")) {
      progress(`incremental mix at ${s.users} users, concurrency ${cfg.mixConcurrency}`);
      const mix = await measureMix(sg, base, s, cfg, warm);
      pass.mix = mix.find((m) => m.target === "scimgate");
      pass.baselineMix = mix.find((m) => m.target === "baseline");
    }
    if (runs.has("kinds")) {
      await warm();
      progress(`each kind of the mix alone at ${s.users} users`);
      pass.mixKinds = await measureMixKinds(sg, s, cfg);
    }
  }
  return lookups.filter((l) => l.kind !== "baseline");
}

/** Seeds each size in turn (growing one directory) and runs lookups, then membership and mix at the largest. */
async function directoryPass(
  backend: BackendName,
  cfg: BenchConfig,
  pass: Pass,
  profDir?: string,
): Promise<void> {
  const db = await createDatabase(backend);
  const dir = new Directory(cfg.seed);
  try {
    const tenant = await createBenchTenant(db.url, "bench");
    const seeder = db.seeder(tenant.tenantId);
    const memberGroups = new Map<number, string>();
    let prev = 0;
    for (const users of cfg.sizes) {
      progress(`${backend}: seeding users ${prev} … ${users} directly`);
      const t0 = performance.now();
      await seedDirectory(seeder, dir, prev, users);
      await seedMemberGroups(seeder, dir, cfg.memberSizes, users, memberGroups);
      await seeder.settle();
      const seedSeconds = (performance.now() - t0) / 1000;
      prev = users;
      const dbBytes = await seeder.sizeBytes();
      // Before each scenario (and each of the mix's repetitions), each shorter than DAMON's minute.
      const warm = async () => {
        const w0 = performance.now();
        const bytes = await seeder.warm();
        const secs = (performance.now() - w0) / 1000;
        progress(
          `${backend}: read the ${(bytes / 1e6).toFixed(0)} MB database into the page cache (${secs.toFixed(1)} s)`,
        );
      };
      const s: Seeded = { dir, users, groups: groupCount(users), memberGroups };
      const servers = await startServers(db.url, db.sqliteFile, tenant.tenantId, profDir);
      try {
        const last = users === cfg.sizes[cfg.sizes.length - 1];
        const lookups = await runSize(pass, cfg, s, servers, tenant.token, last, warm);
        const memberships = users * 3 + [...memberGroups.keys()].reduce((a, b) => a + b, 0);
        pass.sizes.push({
          users,
          groups: s.groups + memberGroups.size,
          memberships,
          dbBytes,
          dbBytesPer100kUsers: (dbBytes * 100_000) / users,
          peakRssBytes: servers.sg.peakRss(),
          seedSeconds,
          lookups,
        });
      } finally {
        await servers.sg.stop();
        await servers.base?.stop();
      }
    }
    await seeder.close();
  } finally {
    await db.drop();
  }
}

async function syncPass(backend: BackendName, cfg: BenchConfig, profDir?: string): Promise<SyncResult> {
  const db = await createDatabase(backend);
  try {
    const tenant = await createBenchTenant(db.url, "bench-sync");
    const sg = await spawnServer("server", {
      env: { BENCH_DATABASE_URL: db.url },
      ...(profDir ? { cpuProfDir: profDir } : {}),
    });
    try {
      progress(`${backend}: initial sync over HTTP of ${cfg.syncUsers} users and ${cfg.syncGroups} groups`);
      return await measureInitialSync(
        { port: sg.port, token: tenant.token },
        new Directory(cfg.seed + 1),
        cfg,
      );
    } finally {
      await sg.stop();
    }
  } finally {
    await db.drop();
  }
}

/** Runs every scenario on one backend; the SQLite pass also measures the baseline. */
export async function runBackend(
  backend: BackendName,
  cfg: BenchConfig,
  profDir?: string,
): Promise<{ result: BackendResult; baseline: BaselineResult }> {
  const pass: Pass = {
    sizes: [],
    membership: [],
    mix: undefined,
    mixKinds: [],
    baselineLookups: [],
    baselineMix: undefined,
  };
  // The directory scenarios need the seeded directory; a run of the initial sync alone skips seeding it.
  if (cfg.only.some((x) => x !== "sync")) await directoryPass(backend, cfg, pass, profDir);
  const sync = cfg.only.includes("sync") ? await syncPass(backend, cfg, profDir) : undefined;
  return {
    result: {
      backend,
      sizes: pass.sizes,
      membership: pass.membership,
      mix: pass.mix,
      mixKinds: pass.mixKinds,
      sync,
    },
    baseline: { lookups: pass.baselineLookups, mix: pass.baselineMix },
  };
}
