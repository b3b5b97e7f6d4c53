import type { Directory } from "../lib/directory.js";

/** What a scenario runs against. */
export interface Target {
  readonly port: number;
  readonly token: string;
  /** The server process's CPU seconds so far. */
  readonly serverCpu?: () => number;
  /** The server's main thread's CPU seconds so far. */
  readonly serverMainCpu?: () => number;
}

/** The scenarios a run can be limited to (`--only`). */
export type Scenario = "lookups" | "membership" | "mix" | "kinds" | "sync";

/** Sizes, repetitions and durations of one bench run. */
export interface BenchConfig {
  readonly quick: boolean;
  readonly seed: number;
  /** Directory sizes for lookups (users). */
  readonly sizes: readonly number[];
  /** Group sizes for the membership PATCH scenario. */
  readonly memberSizes: readonly number[];
  /** Initial sync over HTTP: users and groups. */
  readonly syncUsers: number;
  readonly syncGroups: number;
  /** Entra-like concurrency for initial sync. */
  readonly syncConcurrency: number;
  /** Members per PATCH during initial sync. */
  readonly memberBatch: number;
  readonly lookupRequests: number;
  readonly memberPairs: number;
  readonly mixConcurrency: number;
  readonly mixSeconds: number;
  /** Duration of each run of one mix kind alone. */
  readonly kindSeconds: number;
  readonly warmupSeconds: number;
  readonly repetitions: number;
  /** The scenarios to run (all unless `--only` names some). */
  readonly only: readonly Scenario[];
}

/** A seeded directory as the scenarios see it. */
export interface Seeded {
  readonly dir: Directory;
  readonly users: number;
  readonly groups: number;
  /** Group size → id of the group seeded with exactly that many members (users 0 … size-1). */
  readonly memberGroups: ReadonlyMap<number, string>;
}

/** Every scenario, in the order a run takes them. */
export const ALL_SCENARIOS: readonly Scenario[] = ["lookups", "membership", "mix", "kinds", "sync"];

/** The full and the --quick configuration. */
export function benchConfig(quick: boolean, seed: number): BenchConfig {
  return quick
    ? {
        quick,
        seed,
        sizes: [10_000],
        memberSizes: [10, 1_000, 5_000],
        syncUsers: 2_000,
        syncGroups: 20,
        syncConcurrency: 8,
        memberBatch: 100,
        lookupRequests: 500,
        memberPairs: 100,
        mixConcurrency: 32,
        mixSeconds: 2,
        kindSeconds: 1,
        warmupSeconds: 0.5,
        repetitions: 3,
        only: ALL_SCENARIOS,
      }
    : {
        quick,
        seed,
        sizes: [10_000, 100_000, 1_000_000],
        memberSizes: [10, 10_000, 100_000],
        syncUsers: 100_000,
        syncGroups: 1_000,
        syncConcurrency: 8,
        memberBatch: 100,
        lookupRequests: 3_000,
        memberPairs: 300,
        mixConcurrency: 32,
        mixSeconds: 8,
        kindSeconds: 3,
        warmupSeconds: 2,
        repetitions: 3,
        only: ALL_SCENARIOS,
      };
}
