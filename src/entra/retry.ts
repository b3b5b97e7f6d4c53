/** Retry helpers for Microsoft Graph: throttling (429/503/504) and eventual consistency right after create. */

/** Options of a retry loop; delays are milliseconds. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 6). */
  retries?: number;
  /** First backoff delay in ms (default 1000); doubles each retry. */
  baseDelayMs?: number;
  /** Upper bound of one delay in ms, also caps Retry-After (default 30000). */
  maxDelayMs?: number;
  /** Sleep function, injectable so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** Resolved retry settings with every default filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** Sleeps for `ms` milliseconds. */
export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fills the defaults of a retry policy. */
export function resolveRetryPolicy(p: RetryPolicy = {}): ResolvedRetryPolicy {
  return {
    retries: p.retries ?? 6,
    baseDelayMs: p.baseDelayMs ?? 1000,
    maxDelayMs: p.maxDelayMs ?? 30_000,
    sleep: p.sleep ?? defaultSleep,
  };
}

/**
 * Parses a Retry-After header into milliseconds: integer or fractional seconds, or an HTTP-date;
 * undefined when absent or unparseable (Graph sometimes sends "2.128", which go's ParseInt rejects).
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff delay for retry number `attempt` (0-based), capped by the policy. */
export function backoffDelay(attempt: number, p: ResolvedRetryPolicy): number {
  return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
}

/**
 * Runs `fn` until it succeeds, retrying while `shouldRetry(error)` holds, with exponential backoff;
 * rethrows the last error.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  shouldRetry: (err: unknown) => boolean,
  policy: RetryPolicy = {},
): Promise<T> {
  const p = resolveRetryPolicy(policy);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= p.retries || !shouldRetry(err)) throw err;
      await p.sleep(backoffDelay(attempt, p));
    }
  }
}

/**
 * Polls `probe` until it returns true `times` times in a row (terraform-provider-azuread waits for 5
 * consecutive successes, since replicas disagree right after a write); throws after `retries` polls.
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  opts: RetryPolicy & { times?: number } = {},
): Promise<void> {
  const p = resolveRetryPolicy(opts);
  const times = opts.times ?? 1;
  let streak = 0;
  for (let attempt = 0; attempt <= p.retries; attempt++) {
    streak = (await probe()) ? streak + 1 : 0;
    if (streak >= times) return;
    await p.sleep(streak > 0 ? p.baseDelayMs : backoffDelay(attempt, p));
  }
  throw new Error(`timed out waiting for ${what}`);
}
