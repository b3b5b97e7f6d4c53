/**
 * Throttling fault injection (graph-synchronization.md §2.4): a fixed-window request budget, the documented
 * provisionOnDemand limit of 5 requests per 10 s, and a deterministic "throttle the next N requests" switch.
 */

/** Throttling settings; `true` on the server enables the defaults. */
export interface ThrottleOptions {
  /** Requests allowed per window across the whole API. Default 1,000. */
  limit?: number;
  /** Window length in ms. Default 10,000. */
  windowMs?: number;
  /** Value of the Retry-After header in seconds (an integer by default; fractional values are allowed). Default 10. */
  retryAfterSeconds?: number;
  /** Apply the documented provisionOnDemand limit (5 per 10 s). Default true. */
  provisionOnDemandLimit?: boolean;
}

/** Decides which requests are answered 429. */
export class Throttler {
  private windowStart = 0;
  private count = 0;
  private podWindowStart = 0;
  private podCount = 0;
  private forced = 0;
  private forcedRetryAfter: number | undefined;

  constructor(
    private readonly now: () => number,
    private readonly options: ThrottleOptions | undefined,
  ) {}

  /** Answers the next `count` requests with 429 regardless of the budget. */
  throttleNext(count: number, retryAfterSeconds?: number): void {
    this.forced = count;
    this.forcedRetryAfter = retryAfterSeconds;
  }

  /** Returns the Retry-After seconds when the request must be throttled, else undefined. */
  check(isProvisionOnDemand: boolean): number | undefined {
    const retryAfter = this.options?.retryAfterSeconds ?? 10;
    if (this.forced > 0) {
      this.forced--;
      return this.forcedRetryAfter ?? retryAfter;
    }
    if (!this.options) return undefined;
    const now = this.now();
    const windowMs = this.options.windowMs ?? 10_000;
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    if (++this.count > (this.options.limit ?? 1000)) return retryAfter;
    if (isProvisionOnDemand && this.options.provisionOnDemandLimit !== false) {
      if (now - this.podWindowStart >= 10_000) {
        this.podWindowStart = now;
        this.podCount = 0;
      }
      if (++this.podCount > 5) return retryAfter;
    }
    return undefined;
  }
}
