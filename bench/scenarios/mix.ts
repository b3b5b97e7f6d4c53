import { type BenchRequest, type LoadResult, runLoad, sampleErrorsOf } from "../lib/client.js";
import { Rng } from "../lib/rng.js";
import { groupCount } from "../lib/seed.js";
import { type LatencySummary, median, medianSummary } from "../lib/stats.js";
import type { BenchConfig, Seeded, Target } from "./context.js";
import { lookup, memberPatch, patch } from "./requests.js";

/** Requests/s and latency of a steady mix at a fixed concurrency (median over repetitions). */
export interface MixResult {
  readonly target: "scimgate" | "baseline";
  readonly users: number;
  readonly concurrency: number;
  readonly rps: number;
  /** Median server CPU per request (µs): the figure least disturbed by other load on the machine. */
  readonly cpuUsPerRequest: number;
  /** The same for the server's main thread alone, the one that bounds its requests/s. */
  readonly mainCpuUsPerRequest: number;
  readonly latency: LatencySummary;
  readonly errors: number;
  readonly sampleErrors: readonly string[];
}

/** One kind of request in the mix, with its share of the mix. */
export interface MixKind {
  readonly kind: string;
  readonly share: number;
  /** Builds a request of this kind about directory user `user` (drawn by the caller). */
  build(s: Seeded, rng: Rng, user: number): BenchRequest;
}

/**
 * Entra's incremental cycle: 50% user lookup by userName, 10% group lookup, 20% attribute PATCH of a
 * user, 10% member add/remove on a team group, 10% deactivate/reactivate.
 */
export const MIX_KINDS: readonly MixKind[] = [
  { kind: "user lookup", share: 0.5, build: (s, _rng, user) => lookup(s.dir, "userName", user) },
  {
    kind: "group lookup",
    share: 0.1,
    build: (s, rng) => lookup(s.dir, "groupDisplayName", rng.int(s.groups)),
  },
  {
    kind: "user PATCH",
    share: 0.2,
    build: (s, rng, user) =>
      patch("Users", s.dir.userId(user), [{ op: "Replace", path: "title", value: `Title ${rng.int(1000)}` }]),
  },
  {
    kind: "member PATCH",
    share: 0.1,
    build: (s, rng, user) => {
      const team = 9 + rng.int(groupCount(s.users) - 9);
      return memberPatch(s.dir.groupId(team), rng.next() < 0.5 ? "Add" : "Remove", [s.dir.userId(user)]);
    },
  },
  {
    kind: "deactivate / reactivate",
    share: 0.1,
    build: (s, rng, user) =>
      patch("Users", s.dir.userId(user), [
        { op: "Replace", path: "active", value: rng.next() < 0.5 ? "False" : "True" },
      ]),
  },
];

/** One request of the mix: a kind drawn by its share, then the user it is about. */
export function mixRequest(s: Seeded, rng: Rng): BenchRequest {
  const r = rng.next();
  const user = rng.int(s.users);
  let acc = 0;
  for (const k of MIX_KINDS) {
    acc += k.share;
    if (r < acc) return k.build(s, rng, user);
  }
  return MIX_KINDS[MIX_KINDS.length - 1]!.build(s, rng, user);
}

/** A closed-loop run at the mix's concurrency, each step one request from `next`. */
function loadRun(t: Target, cfg: BenchConfig, ms: number, next: () => BenchRequest): Promise<LoadResult> {
  return runLoad({
    ...t,
    concurrency: cfg.mixConcurrency,
    durationMs: ms,
    step: async (send) => {
      await send(next());
    },
  });
}

/** Medians over a scenario's repetitions; errors summed, with the first few. */
function summarize(rs: readonly LoadResult[]) {
  return {
    rps: median(rs.map((x) => x.rps)),
    cpuUsPerRequest: median(rs.map((x) => x.cpuUsPerRequest ?? Number.NaN)),
    mainCpuUsPerRequest: median(rs.map((x) => x.mainCpuUsPerRequest ?? Number.NaN)),
    latency: medianSummary(rs.map((x) => x.latency)),
    errors: rs.reduce((a, x) => a + x.errors, 0),
    sampleErrors: sampleErrorsOf(rs),
  };
}

function mixRun(t: Target, s: Seeded, cfg: BenchConfig, ms: number, seed: number, baseline: boolean) {
  const rng = new Rng(seed);
  // The baseline answers every request the same way; it gets the lookup stream.
  return loadRun(t, cfg, ms, () =>
    baseline ? lookup(s.dir, "userName", rng.int(s.users)) : mixRequest(s, rng),
  );
}

/** Runs the mix on scimgate and the baseline alternately, so both see the same machine noise. */
export async function measureMix(
  sg: Target,
  base: Target | undefined,
  s: Seeded,
  cfg: BenchConfig,
  /** Runs before each repetition, outside the timed runs (the bench reads the database file again). */
  beforeRepetition?: () => Promise<void>,
): Promise<MixResult[]> {
  const targets: ["scimgate" | "baseline", Target][] = [
    ["scimgate", sg],
    ...(base ? [["baseline", base] as ["baseline", Target]] : []),
  ];
  const runs = new Map<string, LoadResult[]>();
  for (const [name, t] of targets)
    await mixRun(t, s, cfg, cfg.warmupSeconds * 1000, cfg.seed + 3, name === "baseline");
  for (let r = 0; r < cfg.repetitions; r++) {
    await beforeRepetition?.();
    for (const [name, t] of targets) {
      const run = await mixRun(t, s, cfg, cfg.mixSeconds * 1000, cfg.seed + 30 + r, name === "baseline");
      runs.set(name, [...(runs.get(name) ?? []), run]);
    }
  }
  return targets.map(([name]) => {
    const rs = runs.get(name)!;
    return {
      target: name,
      users: s.users,
      concurrency: cfg.mixConcurrency,
      ...summarize(rs),
    };
  });
}

/** One kind of the mix's requests run alone: what each costs, and so where the mix's cost comes from. */
export interface MixKindResult {
  readonly kind: string;
  readonly share: number;
  readonly rps: number;
  readonly cpuUsPerRequest: number;
  readonly mainCpuUsPerRequest: number;
  readonly latency: LatencySummary;
  readonly errors: number;
  /** The first error answers, for diagnosis. */
  readonly sampleErrors: readonly string[];
}

/** Runs each kind of the mix alone, at the mix's concurrency (median over repetitions). */
export async function measureMixKinds(t: Target, s: Seeded, cfg: BenchConfig): Promise<MixKindResult[]> {
  const out: MixKindResult[] = [];
  for (const [i, k] of MIX_KINDS.entries()) {
    const rng = new Rng(cfg.seed + 60 + i);
    const run = (ms: number) => loadRun(t, cfg, ms, () => k.build(s, rng, rng.int(s.users)));
    await run(cfg.warmupSeconds * 500);
    const rs: LoadResult[] = [];
    for (let r = 0; r < cfg.repetitions; r++) rs.push(await run(cfg.kindSeconds * 1000));
    out.push({ kind: k.kind, share: k.share, ...summarize(rs) });
  }
  return out;
}
