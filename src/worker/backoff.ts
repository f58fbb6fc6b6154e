export interface BackoffInput {
  /** 1 for the first retry, 2 for the second, ... */
  retryNumber: number;
  /** NEUPUSH_BACKOFF_MS: the first retry's delay before jitter. */
  baseMs: number;
  /** The platform's Retry-After; the delay is never shorter. */
  retryAfterMs?: number;
  /** Upper bound of the exponential part. Default 1 hour. */
  maxMs?: number;
  /** A number in [0, 1); injected for tests. */
  random?: number;
}

/**
 * Exponential backoff with "equal jitter": half of base*2^(n-1) is fixed and half is random, so retries
 * of many jobs that failed together spread out, yet none comes back sooner than half the nominal delay.
 * Retry-After is a floor.
 */
export function retryDelay(input: BackoffInput): number {
  const maxMs = input.maxMs ?? 3_600_000;
  const nominal = Math.min(maxMs, input.baseMs * 2 ** Math.max(0, input.retryNumber - 1));
  const random = input.random ?? Math.random();
  const jittered = Math.round(nominal / 2 + random * (nominal / 2));
  return Math.max(jittered, input.retryAfterMs ?? 0);
}
