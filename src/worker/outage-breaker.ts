export interface OutageBreakerOptions {
  /** Consecutive retryable answers (5xx, 429, timeouts, network errors) that mean an outage. Default 20. */
  threshold?: number;
  /**
   * ...and they must come from at least this many different deliveries, so that one job the platform
   * keeps failing (its retries are consecutive failures too, when nothing else is sent) cannot pause
   * the whole queue. Default 5, at most `threshold`.
   */
  minDistinct?: number;
  /** First pause. Default 1 000 ms. */
  basePauseMs?: number;
  /** Longest pause; pauses double up to it while the outage lasts. Default 30 000 ms. */
  maxPauseMs?: number;
}

export type BreakerVerdict =
  /** An ordinary failure: retry the job with its backoff (uses an attempt). */
  | { action: 'retry' }
  /**
   * The platform is down: put the job back without using an attempt and take no job for `pauseMs`.
   * `tripped` is true when this answer opened (or re-opened) the breaker, false when it was already open.
   */
  | { action: 'pause'; pauseMs: number; tripped: boolean };

/**
 * Decides when a worker stops taking jobs because sendNotify is down, rather than letting every job burn
 * its attempts against an outage. Pure state: the caller feeds it answers with the time and acts on the
 * verdict (BullMQ's `worker.rateLimit` plus `Worker.RateLimitError`).
 *
 * Closed: count consecutive retryable answers; at `threshold` (from `minDistinct` deliveries) it trips.
 * Open: every retryable answer until `pausedUntil` just puts its job back. After the pause the first jobs
 * taken are the probe: one more retryable answer before any success re-trips it at once with twice the
 * pause (up to `maxPauseMs`), a Retry-After longer than that is honoured up to the cap. Any answer that
 * shows the platform is up (delivered, or a 4xx rejection) closes it and resets the pause.
 */
export class OutageBreaker {
  readonly #threshold: number;
  readonly #minDistinct: number;
  readonly #basePauseMs: number;
  readonly #maxPauseMs: number;
  #failures = 0;
  #distinct = new Set<string>();
  #trips = 0;
  #pausedUntil = 0;

  constructor(options: OutageBreakerOptions = {}) {
    this.#threshold = Math.max(1, options.threshold ?? 20);
    this.#minDistinct = Math.min(this.#threshold, Math.max(1, options.minDistinct ?? 5));
    this.#basePauseMs = options.basePauseMs ?? 1_000;
    this.#maxPauseMs = Math.max(this.#basePauseMs, options.maxPauseMs ?? 30_000);
  }

  /** A retryable answer for delivery `key` at `now`. */
  onRetryable(key: string, now: number, retryAfterMs?: number): BreakerVerdict {
    if (now < this.#pausedUntil) return { action: 'pause', pauseMs: this.#pausedUntil - now, tripped: false };
    if (this.#trips === 0) {
      this.#failures++;
      if (this.#distinct.size < this.#minDistinct) this.#distinct.add(key);
      if (this.#failures < this.#threshold || this.#distinct.size < this.#minDistinct) return { action: 'retry' };
    }
    this.#trips++;
    const pauseMs = Math.min(
      this.#maxPauseMs,
      Math.max(this.#basePauseMs * 2 ** Math.min(30, this.#trips - 1), retryAfterMs ?? 0),
    );
    this.#pausedUntil = now + pauseMs;
    return { action: 'pause', pauseMs, tripped: true };
  }

  /** An answer that shows the platform is up. Returns true when this closed an open breaker. */
  onAnswered(): boolean {
    const wasOpen = this.#trips > 0;
    this.#failures = 0;
    this.#distinct.clear();
    this.#trips = 0;
    this.#pausedUntil = 0;
    return wasOpen;
  }

  /** For logs and metrics. */
  get state(): { open: boolean; trips: number; consecutiveFailures: number; pausedUntil: number } {
    return { open: this.#trips > 0, trips: this.#trips, consecutiveFailures: this.#failures, pausedUntil: this.#pausedUntil };
  }
}
