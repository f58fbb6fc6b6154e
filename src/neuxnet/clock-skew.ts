import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/** The platform rejects a timestamp further than this from its own clock (spec: "The call"). */
export const PLATFORM_TIMESTAMP_WINDOW_MS = 300_000;

export interface SkewClockOptions {
  /**
   * Sign with local time + offset once the platform's clock is further than this from ours. Below it a
   * timestamp is well inside the platform's 5-minute window and signing with the plain local time is
   * safer (a wrong Date header cannot hurt).
   * @defaultValue `30_000`
   */
  correctAboveMs?: number;
  /**
   * Offsets and changes smaller than this are the Date header's own noise (1 s resolution plus half the
   * round trip) and are neither logged nor acted on.
   * @defaultValue `2_000`
   */
  noiseMs?: number;
  /**
   * How many recent answers the estimate is the median of.
   * @defaultValue `9`
   */
  samples?: number;
  /**
   * Where "the clock is off" warnings go.
   * @defaultValue nowhere
   */
  logger?: Logger;
  /**
   * The local clock; injected by tests.
   * @defaultValue `Date.now`
   */
  localNow?: () => number;
}

/** A sample further than this from the running estimate is a clock step (NTP fix, VM resume), not noise. */
const STEP_MS = 10_000;

/**
 * A `Clock` that learns the offset between this host's clock and the platform's from the HTTP Date
 * header of each answer, and signs with the corrected time when the two disagree by more than
 * `correctAboveMs`. An unsynced server clock is the classic cause of "intermittent signature failures":
 * the platform refuses a timestamp more than 5 minutes from its own clock.
 *
 * One answer gives the offset within about ±(0.5 s + half the round trip): the Date header is truncated to
 * the second, so the server's instant is taken as Date + 500 ms, and ours as the midpoint of send and
 * receive. The estimate is the median of the last few samples, restarted when a sample jumps by more
 * than 10 s, so a clock step is followed at once and a single slow answer does not move it.
 */
export class SkewClock implements Clock {
  readonly #correctAboveMs: number;
  readonly #noiseMs: number;
  readonly #size: number;
  readonly #logger: Logger | undefined;
  readonly #localNow: () => number;
  #samples: number[] = [];
  /** Reused for the median on every answer: a sorted copy per answer was a measurable share of the worker's garbage. */
  readonly #sorted: number[] = [];
  #estimate: number | undefined;
  #correction = 0;
  #reported = 0;

  constructor(options: SkewClockOptions = {}) {
    this.#correctAboveMs = options.correctAboveMs ?? 30_000;
    this.#noiseMs = options.noiseMs ?? 2_000;
    this.#size = Math.max(1, options.samples ?? 9);
    this.#logger = options.logger;
    this.#localNow = options.localNow ?? Date.now;
  }

  now(): number {
    return this.#localNow() + this.#correction;
  }

  observe(serverDateMs: number, sentAtMs: number, receivedAtMs: number): void {
    const sample = serverDateMs + 500 - (sentAtMs + receivedAtMs) / 2;
    if (this.#estimate !== undefined && Math.abs(sample - this.#estimate) > STEP_MS) this.#samples = [];
    this.#samples.push(sample);
    if (this.#samples.length > this.#size) this.#samples.shift();
    this.#estimate = median(this.#samples, this.#sorted);
    this.#correction = Math.abs(this.#estimate) > this.#correctAboveMs ? Math.round(this.#estimate) : 0;
    this.#report(this.#estimate);
  }

  /** Platform clock minus local clock, ms, as estimated; 0 before the first answer. For the metric. */
  get offsetMs(): number {
    return this.#estimate === undefined ? 0 : Math.round(this.#estimate);
  }

  /** What is added to the local time when signing: the offset when it is large, else 0. */
  get correctionMs(): number {
    return this.#correction;
  }

  /** Log once per notable change, not per request: a 2 s hysteresis keeps a borderline offset from flapping. */
  #report(estimate: number): void {
    if (Math.abs(estimate - this.#reported) < this.#noiseMs) return;
    const quiet = Math.abs(estimate) < this.#noiseMs;
    if (quiet && Math.abs(this.#reported) < this.#noiseMs) return;
    this.#reported = estimate;
    if (!this.#logger) return;
    const offsetSeconds = Math.round(estimate / 100) / 10;
    const how = `${Math.abs(offsetSeconds)} s ${estimate > 0 ? 'behind' : 'ahead of'} the platform's`;
    if (quiet) {
      this.#logger.info({ offsetSeconds }, "local clock agrees with the platform's again; signing with local time");
    } else if (this.#correction !== 0) {
      this.#logger.warn(
        { offsetSeconds, correctionMs: this.#correction },
        `local clock is ${how}; signing with the corrected time. Check NTP on this host`,
      );
    } else {
      this.#logger.warn(
        { offsetSeconds },
        `local clock is ${how}; within the platform's 5-minute window, so not corrected. Check NTP on this host`,
      );
    }
  }
}

/**
 * The median of `values`, insertion-sorted (a handful of values) into the first `values.length` places of
 * `sorted`, which is never shortened: emptying it would give up its storage, to be allocated again.
 */
function median(values: readonly number[], sorted: number[]): number {
  const n = values.length;
  for (let k = 0; k < n; k++) {
    const v = values[k] as number;
    let i = k;
    while (i > 0 && (sorted[i - 1] as number) > v) {
      sorted[i] = sorted[i - 1] as number;
      i--;
    }
    sorted[i] = v;
  }
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * After a rejection: was the timestamp the reason, and would a request signed now fix it? True when the
 * answer's Date shows that the timestamp we signed with was outside the platform's window (the clock, not
 * the request, was wrong) and the time we would sign with now is well inside it, because the clock has
 * just learned the offset from that same answer. The request was rejected, so nothing was sent: signing
 * again cannot duplicate.
 */
export function shouldResignAfterSkew(
  result: { outcome: string; signedAt?: number; serverDateMs?: number },
  signingNow: number,
): boolean {
  if (result.outcome !== 'rejected' || result.signedAt === undefined || result.serverDateMs === undefined) return false;
  // The Date header lags the server's clock by up to 1 s; a couple of seconds of margin keeps a request
  // that was refused for another reason right at the window's edge from being mistaken for skew.
  const wasOutside = Math.abs(result.signedAt - result.serverDateMs) > PLATFORM_TIMESTAMP_WINDOW_MS - 2_000;
  const nowInside = Math.abs(signingNow - result.serverDateMs) < PLATFORM_TIMESTAMP_WINDOW_MS / 2;
  return wasOutside && nowInside;
}
