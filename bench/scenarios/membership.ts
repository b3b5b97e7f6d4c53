import { performance } from "node:perf_hooks";
import { runLoad, sampleErrorsOf } from "../lib/client.js";
import { Rng } from "../lib/rng.js";
import { type LatencySummary, medianSummary, Recorder } from "../lib/stats.js";
import type { BenchConfig, Seeded, Target } from "./context.js";
import { memberPatch } from "./requests.js";

/** PATCH add and remove latency on a group of `members` members. */
export interface MembershipResult {
  readonly members: number;
  readonly add: LatencySummary;
  readonly remove: LatencySummary;
  readonly errors: number;
  /** The first error answers, for diagnosis. */
  readonly sampleErrors: readonly string[];
}

/** Adds then removes one non-member (Entra's single-member PATCH), sequentially, `pairs` times. */
async function pairsRun(t: Target, s: Seeded, size: number, groupId: string, pairs: number, seed: number) {
  const rng = new Rng(seed);
  const add = new Recorder();
  const remove = new Recorder();
  const res = await runLoad({
    ...t,
    concurrency: 1,
    steps: pairs,
    step: async (send) => {
      const user = s.dir.userId(size + rng.int(s.users - size));
      let t0 = performance.now();
      await send(memberPatch(groupId, "Add", [user]));
      add.add(performance.now() - t0);
      t0 = performance.now();
      await send(memberPatch(groupId, "Remove", [user]));
      remove.add(performance.now() - t0);
    },
  });
  return { add: add.summary(), remove: remove.summary(), errors: res.errors, sampleErrors: res.sampleErrors };
}

/** Measures membership PATCH cost for each seeded group size. */
export async function measureMembership(t: Target, s: Seeded, cfg: BenchConfig): Promise<MembershipResult[]> {
  const out: MembershipResult[] = [];
  for (const [size, groupId] of s.memberGroups) {
    await pairsRun(t, s, size, groupId, Math.ceil(cfg.memberPairs / 5), cfg.seed + 2);
    const runs = [];
    for (let r = 0; r < cfg.repetitions; r++)
      runs.push(await pairsRun(t, s, size, groupId, cfg.memberPairs, cfg.seed + 20 + r));
    const errors = runs.reduce((a, x) => a + x.errors, 0);
    out.push({
      members: size,
      add: medianSummary(runs.map((x) => x.add)),
      remove: medianSummary(runs.map((x) => x.remove)),
      errors,
      sampleErrors: sampleErrorsOf(runs),
    });
  }
  return out;
}
