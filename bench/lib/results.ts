import type { SyncResult } from "../scenarios/initial-sync.js";
import type { LookupResult } from "../scenarios/lookups.js";
import type { MembershipResult } from "../scenarios/membership.js";
import type { MixKindResult, MixResult } from "../scenarios/mix.js";

/** What one directory size measured on one backend. */
export interface SizeResult {
  readonly users: number;
  readonly groups: number;
  readonly memberships: number;
  readonly dbBytes: number;
  readonly dbBytesPer100kUsers: number;
  /** Peak RSS of the scimgate process over everything run at this size. */
  readonly peakRssBytes: number;
  readonly seedSeconds: number;
  readonly lookups: readonly LookupResult[];
}

/** Everything measured on one backend. */
export interface BackendResult {
  readonly backend: "sqlite" | "postgres";
  readonly sizes: readonly SizeResult[];
  readonly membership: readonly MembershipResult[];
  readonly mix: MixResult | undefined;
  /** Each kind of the mix's requests run alone, at the same size and concurrency. */
  readonly mixKinds: readonly MixKindResult[];
  readonly sync: SyncResult | undefined;
}

/** The baseline, measured in the same run with the same client. */
export interface BaselineResult {
  /** Users → sequential userName-lookup latency on the bare server. */
  readonly lookups: readonly LookupResult[];
  readonly mix: MixResult | undefined;
}

/** One target from the issue, judged. */
export interface TargetVerdict {
  readonly target: string;
  readonly figure: string;
  readonly met: boolean;
  readonly note?: string;
}

/** A whole bench run: what bench/results/latest.json holds. */
export interface RunResult {
  readonly mode: "quick" | "full";
  readonly seed: number;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    /** Set when the kernel's DAMON pages out memory idle this long (see bench/lib/machine.ts). */
    damonPageoutAfterSeconds?: number;
  };
  readonly config: Record<string, unknown>;
  readonly baseline: BaselineResult;
  readonly backends: readonly BackendResult[];
  readonly targets: readonly TargetVerdict[];
}
