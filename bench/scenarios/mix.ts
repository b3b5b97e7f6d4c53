import { type BenchRequest, runLoad } from "../lib/client.js";
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
  readonly latency: LatencySummary;
  readonly errors: number;
  readonly sampleErrors: readonly string[];
}

/**
 * One request of Entra's incremental cycle: 50% user lookup by userName, 10% group lookup,
 * 20% attribute PATCH of a user, 10% member add/remove on a team group, 10% deactivate/reactivate.
 */
export function mixRequest(s: Seeded, rng: Rng): BenchRequest {
  const r = rng.next();
  const user = rng.int(s.users);
  if (r < 0.5) return lookup(s.dir, "userName", user);
  if (r < 0.6) return lookup(s.dir, "groupDisplayName", rng.int(s.groups));
  const id = s.dir.userId(user);
  if (r < 0.8) return patch("Users", id, [{ op: "Replace", path: "title", value: `Title ${rng.int(1000)}` }]);
  if (r < 0.9) {
    const team = 9 + rng.int(groupCount(s.users) - 9);
    return memberPatch(s.dir.groupId(team), rng.next() < 0.5 ? "Add" : "Remove", [id]);
  }
  return patch("Users", id, [{ op: "Replace", path: "active", value: rng.next() < 0.5 ? "False" : "True" }]);
}

async function mixRun(t: Target, s: Seeded, cfg: BenchConfig, ms: number, seed: number, baseline: boolean) {
  const rng = new Rng(seed);
  return runLoad({
    ...t,
    concurrency: cfg.mixConcurrency,
    durationMs: ms,
    step: async (send) => {
      // The baseline answers every request the same way; it gets the lookup stream.
      await send(baseline ? lookup(s.dir, "userName", rng.int(s.users)) : mixRequest(s, rng));
    },
  });
}

/** Runs the mix on scimgate and the baseline alternately, so both see the same machine noise. */
export async function measureMix(
  sg: Target,
  base: Target | undefined,
  s: Seeded,
  cfg: BenchConfig,
): Promise<MixResult[]> {
  const targets: ["scimgate" | "baseline", Target][] = [
    ["scimgate", sg],
    ...(base ? [["baseline", base] as ["baseline", Target]] : []),
  ];
  const runs = new Map<string, Awaited<ReturnType<typeof mixRun>>[]>();
  for (const [name, t] of targets)
    await mixRun(t, s, cfg, cfg.warmupSeconds * 1000, cfg.seed + 3, name === "baseline");
  for (let r = 0; r < cfg.repetitions; r++) {
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
      rps: median(rs.map((x) => x.rps)),
      cpuUsPerRequest: median(rs.map((x) => x.cpuUsPerRequest ?? Number.NaN)),
      latency: medianSummary(rs.map((x) => x.latency)),
      errors: rs.reduce((a, x) => a + x.errors, 0),
      sampleErrors: rs.flatMap((x) => x.sampleErrors).slice(0, 3),
    };
  });
}
