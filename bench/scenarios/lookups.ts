import { runLoad, sampleErrorsOf } from "../lib/client.js";
import { Rng } from "../lib/rng.js";
import { type LatencySummary, median, medianSummary } from "../lib/stats.js";
import type { BenchConfig, Seeded, Target } from "./context.js";
import { type LookupKind, lookup } from "./requests.js";

/** Latency of one kind of lookup at one directory size (median over repetitions). */
export interface LookupResult {
  readonly kind: LookupKind | "baseline";
  readonly users: number;
  readonly latency: LatencySummary;
  readonly rps: number;
  /** Median server CPU per request (µs): the figure least disturbed by other load on the machine. */
  readonly cpuUsPerRequest: number;
  readonly errors: number;
  /** The first error answers, for diagnosis. */
  readonly sampleErrors: readonly string[];
}

export const LOOKUP_KINDS: readonly LookupKind[] = ["userName", "externalId", "email", "groupDisplayName"];

/** One sequential run (concurrency 1, like one Entra job matching object by object) of random lookups. */
async function lookupRun(t: Target, s: Seeded, kind: LookupKind, n: number, seed: number, check: boolean) {
  const rng = new Rng(seed);
  const max = kind === "groupDisplayName" ? s.groups : s.users;
  return runLoad({
    ...t,
    concurrency: 1,
    steps: n,
    step: async (send) => {
      const res = await send(lookup(s.dir, kind, rng.int(max)));
      // A lookup that misses would make Entra create a duplicate: the bench refuses to time a wrong answer.
      if (check && !res.body.includes('"totalResults":1'))
        throw new Error(`lookup ${kind} missed: ${res.body.slice(0, 200)}`);
    },
  });
}

/**
 * Measures every lookup kind on scimgate and the userName lookup on the baseline. Repetitions go round
 * robin over the kinds, so a burst of other load on the machine hits every kind alike, not one of them.
 */
export async function measureLookups(
  sg: Target,
  base: Target | undefined,
  s: Seeded,
  cfg: BenchConfig,
): Promise<LookupResult[]> {
  const kinds: (LookupKind | "baseline")[] = [...LOOKUP_KINDS, ...(base ? ["baseline" as const] : [])];
  const runOne = (kind: LookupKind | "baseline", n: number, seed: number) =>
    kind === "baseline"
      ? lookupRun(base!, s, "userName", n, seed, false)
      : lookupRun(sg, s, kind, n, seed, true);
  for (const kind of kinds) await runOne(kind, Math.ceil(cfg.lookupRequests / 5), cfg.seed + 1);
  const runs = new Map(kinds.map((k) => [k, [] as Awaited<ReturnType<typeof lookupRun>>[]]));
  for (let r = 0; r < cfg.repetitions; r++) {
    for (const kind of kinds) runs.get(kind)!.push(await runOne(kind, cfg.lookupRequests, cfg.seed + 10 + r));
  }
  return kinds.map((kind) => {
    const rs = runs.get(kind)!;
    return {
      kind,
      users: s.users,
      latency: medianSummary(rs.map((x) => x.latency)),
      rps: median(rs.map((x) => x.rps)),
      cpuUsPerRequest: median(rs.map((x) => x.cpuUsPerRequest ?? Number.NaN)),
      errors: rs.reduce((a, x) => a + x.errors, 0),
      sampleErrors: sampleErrorsOf(rs),
    };
  });
}
