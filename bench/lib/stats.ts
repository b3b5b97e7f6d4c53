/** Latency and throughput statistics for the benchmarks (sorted arrays; exact, not bucketed). */

/** The p-th percentile (0–100) of `sorted` by nearest rank; NaN when empty. */
export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A growable list of latencies in milliseconds. */
export class Recorder {
  private data = new Float64Array(1024);
  private n = 0;

  /** Records one latency (ms). */
  add(ms: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  /** p50/p99/max of what was recorded. */
  summary(): LatencySummary {
    const s = this.data.slice(0, this.n).sort();
    return {
      count: this.n,
      p50: percentile(s, 50),
      p99: percentile(s, 99),
      max: s[s.length - 1] ?? Number.NaN,
    };
  }
}

/** Latency percentiles of one run, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Per-field median over several runs' summaries. */
export function medianSummary(runs: readonly LatencySummary[]): LatencySummary {
  return {
    count: runs.reduce((a, r) => a + r.count, 0),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    max: Math.max(...runs.map((r) => r.max)),
  };
}
