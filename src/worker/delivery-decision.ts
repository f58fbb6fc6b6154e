import type { CallResult } from '../neuxnet/classify.js';
import type { DeadLetterReason } from '../shared/job-data.js';
import { retryDelay } from './backoff.js';
import { describeResult } from './dead-letter-writer.js';
import type { BreakerVerdict } from './outage-breaker.js';

/** What the processor does after a sendNotify call; it carries this out and decides nothing itself. */
export type Decision =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead-letter'; reason: DeadLetterReason; lastError: string }
  /** Put the job back without using an attempt and take no job for `ms`; `tripped`: this answer opened the breaker. */
  | { kind: 'pause'; ms: number; tripped: boolean };

export interface DecisionInput {
  result: CallResult;
  /** Local time after the call. */
  now: number;
  /** The job's deadline (ms since epoch): nothing is sent after it. */
  deadline: number;
  /** Calls made for this job, this one included. */
  attemptsMade: number;
  /** The job's attempts (NEUPUSH_ATTEMPTS unless the job says otherwise). */
  attempts: number;
  /** The first retry's delay before jitter (the job's backoff delay, else NEUPUSH_BACKOFF_MS). */
  backoffMs: number;
  /** The outage breaker's verdict on a retryable answer; absent without a breaker or for other answers. */
  breaker?: BreakerVerdict;
  /** The backoff's jitter, a number in [0, 1). */
  random: number;
}

/**
 * The one decision after a call. A rejection is final; a retryable answer during an outage pauses the
 * queue (no attempt spent, whatever is left); otherwise it is retried with backoff (never sooner than
 * Retry-After) unless the attempts are used up (`exhausted`) or the retry would land after the deadline
 * (`expired`: a notification delivered too late is worse than one reported as expired).
 */
export function decideAfterCall(input: DecisionInput): Decision {
  const { result } = input;
  if (result.outcome === 'delivered') return { kind: 'delivered' };
  if (result.outcome === 'rejected') return { kind: 'dead-letter', reason: 'rejected', lastError: describeResult(result) };
  if (input.breaker?.action === 'pause') return { kind: 'pause', ms: input.breaker.pauseMs, tripped: input.breaker.tripped };
  if (input.attemptsMade >= input.attempts) return { kind: 'dead-letter', reason: 'exhausted', lastError: describeResult(result) };
  const delayMs = retryDelay({
    retryNumber: input.attemptsMade,
    baseMs: input.backoffMs,
    random: input.random,
    ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
  });
  if (input.now + delayMs > input.deadline) {
    const lastError = `${describeResult(result)}; a retry in ${delayMs} ms would land after the deadline`;
    return { kind: 'dead-letter', reason: 'expired', lastError };
  }
  return { kind: 'retry', delayMs };
}

export type LateDecision = Extract<Decision, { kind: 'dead-letter' }>;

/** Before the call: a job picked up past its deadline is not sent (undefined: go ahead). */
export function decideBeforeCall(now: number, deadline: number): LateDecision | undefined {
  if (now <= deadline) return undefined;
  return { kind: 'dead-letter', reason: 'expired', lastError: `not sent by its deadline ${new Date(deadline).toISOString()}` };
}
