import { DelayedError, Worker, type Job } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { DeliveryJobSchema, type DeadLetterReason, type DeliveryJobData } from '../shared/job-data.js';
import type { DeadLetterQueue } from '../shared/queues.js';
import { decideRetry, retryDelay } from './backoff.js';
import { claimDelivery, recordSent, releaseClaim } from './sent-records.js';
import type { SendNotifyClient, SendNotifyResult as SendResult } from '../neuxnet/client.js';
import { shouldResignAfterSkew } from '../neuxnet/clock-skew.js';
import type { RedisConnection } from '../shared/redis.js';
import { describeIssues } from '../shared/errors.js';
import { toFieldIssues } from '../shared/zod-issues.js';
import { describeResult, writeDeadLetter, type DeadLetterDetails } from './dead-letter-writer.js';
import { RetryableDeliveryError } from './retryable-error.js';
import type { OutageBreaker } from './outage-breaker.js';

export type DeliveryOutcome =
  | { status: 'delivered'; recipients: number }
  | { status: 'dead-lettered'; reason: DeadLetterReason }
  | { status: 'duplicate-suppressed' }
  | { status: 'dropped'; why: string };

/** Observers of what the processor did; metrics and campaign counters hang here. Must not throw. */
export interface ProcessorHooks {
  /**
   * Last word before the call (campaign cancellation): return a reason to drop the job without sending.
   * When it returns undefined, `afterSend` is guaranteed to run once the call has finished.
   */
  beforeSend?(data: DeliveryJobData, job: Job): Promise<string | undefined> | string | undefined;
  afterSend?(data: DeliveryJobData, job: Job): Promise<void> | void;
  /** After each sendNotify call; `lateness` is ms from the intended send time to this attempt's start. */
  onCall?(data: DeliveryJobData, result: SendResult, lateness: number, job: Job): void;
  onDelivered?(data: DeliveryJobData, job: Job): Promise<void> | void;
  onDeadLettered?(data: DeliveryJobData | undefined, reason: DeadLetterReason, job: Job): Promise<void> | void;
  onRetry?(data: DeliveryJobData, delayMs: number, result: SendResult): void;
}

export interface ProcessorDeps {
  config: Readonly<Config>;
  client: SendNotifyClient;
  deadLetters: DeadLetterQueue;
  redis: RedisConnection;
  logger: Logger;
  hooks?: ProcessorHooks;
  /**
   * Global backoff during a sendNotify outage: when the breaker says so, the processor calls `pauseQueue`
   * (BullMQ's worker.rateLimit) and hands the job back with Worker.RateLimitError, which uses no attempt.
   */
  outage?: { breaker: OutageBreaker; pauseQueue(ms: number): Promise<void> };
}

/**
 * The delivery processor: deadline check, duplicate check, sign and send (inside the client), classify,
 * then done, retry (by throwing RetryableDeliveryError) or dead-letter. A job never fails finally through
 * this path: before its last attempt would fail it is dead-lettered with the reason.
 */
export function createProcessor(deps: ProcessorDeps) {
  const { config, client, deadLetters, redis, hooks, outage } = deps;
  // Covers a call and its one re-signed retry; a claim left by a crash lapses before stalled-job recovery.
  const claimMs = 2 * config.timeoutMs + 5_000;

  async function deadLetter(
    job: Job,
    data: DeliveryJobData | undefined,
    reason: DeadLetterReason,
    details: DeadLetterDetails,
    log: Logger,
  ): Promise<DeliveryOutcome> {
    await writeDeadLetter(deadLetters, job, reason, details);
    log.warn({ reason, attempts: details.attempts, lastError: details.lastError }, 'dead-lettered');
    await hooks?.onDeadLettered?.(data, reason, job);
    return { status: 'dead-lettered', reason };
  }

  /** A run of this delivery holds the claim (its worker lost the job's lock but is still calling). */
  async function deferWhileClaimed(job: Job, token: string | undefined, retryInMs: number, log: Logger): Promise<never> {
    // Look again every 2 s rather than only when the claim lapses: the holder usually finishes in a moment.
    const delayMs = Math.min(retryInMs, 2_000) + 250;
    log.info({ delayMs }, 'another run of this delivery is calling sendNotify; checking again when its claim lapses');
    if (token === undefined) {
      throw new RetryableDeliveryError('claimed by another run', delayMs, { outcome: 'retryable', msg: 'claimed by another run' });
    }
    // Delayed, not failed: waiting for another run is no attempt of this one.
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  async function process(job: Job, token?: string): Promise<DeliveryOutcome> {
    const log = deps.logger.child({ queue: job.queueName, jobId: job.id, attempt: job.attemptsMade + 1 });
    const parsed = DeliveryJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const lastError = describeIssues(toFieldIssues(parsed.error));
      return deadLetter(job, undefined, 'invalid', { attempts: 0, lastError: `job data fails the schema: ${lastError}` }, log);
    }
    const data = parsed.data;

    const claim = await claimDelivery(redis, config.prefix, data.deliveryKey, claimMs);
    if (claim.state === 'sent') {
      log.info({ deliveryKey: data.deliveryKey }, 'already accepted by the platform; not sending again');
      await hooks?.onDelivered?.(data, job);
      return { status: 'duplicate-suppressed' };
    }
    if (claim.state === 'held') return deferWhileClaimed(job, token, claim.retryInMs, log);
    const accepted = { recorded: false };
    try {
      return await sendClaimed(job, data, log, accepted);
    } finally {
      if (!accepted.recorded) {
        await releaseClaim(redis, config.prefix, data.deliveryKey, claim.token).catch((e: unknown) =>
          log.warn({ err: String(e) }, 'could not release the delivery claim; it lapses on its own'),
        );
      }
    }
  }

  async function sendClaimed(job: Job, data: DeliveryJobData, log: Logger, accepted: { recorded: boolean }): Promise<DeliveryOutcome> {
    const now = Date.now();
    if (now > data.deadline) {
      const lastError = `not sent by its deadline ${new Date(data.deadline).toISOString()}`;
      return deadLetter(job, data, 'expired', { attempts: job.attemptsMade, lastError }, log);
    }

    const dropWhy = await hooks?.beforeSend?.(data, job);
    if (dropWhy !== undefined) {
      log.info({ why: dropWhy }, 'dropped without sending');
      return { status: 'dropped', why: dropWhy };
    }
    let result: SendResult;
    try {
      result = await client.sendNotify(data.notification);
      if (shouldResignAfterSkew(result, client.signingTime())) {
        hooks?.onCall?.(data, result, now - data.sendAt, job);
        log.warn(
          { signedAt: result.signedAt, serverDate: result.serverDateMs, result: describeResult(result) },
          "rejected for its timestamp; the clock has learned the platform's time from the answer, signing again",
        );
        result = await client.sendNotify(data.notification);
      }
    } finally {
      await hooks?.afterSend?.(data, job);
    }
    const attemptsMade = job.attemptsMade + 1;
    hooks?.onCall?.(data, result, now - data.sendAt, job);

    if (result.outcome !== 'retryable' && outage?.breaker.onAnswered()) {
      log.info('sendNotify answers again; taking jobs again');
    }
    if (result.outcome === 'delivered') {
      accepted.recorded = true;
      await recordSent(redis, config.prefix, data.deliveryKey, config.dedupTtlMs);
      log.info({ recipients: result.recipients, ms: result.durationMs }, 'delivered');
      await hooks?.onDelivered?.(data, job);
      return { status: 'delivered', recipients: result.recipients };
    }
    if (result.outcome === 'rejected') {
      return deadLetter(job, data, 'rejected', { attempts: attemptsMade, lastError: describeResult(result), result }, log);
    }

    const verdict = outage?.breaker.onRetryable(data.deliveryKey, Date.now(), result.retryAfterMs);
    if (outage && verdict?.action === 'pause') {
      if (verdict.tripped) {
        log.warn(
          { pauseMs: verdict.pauseMs, result: describeResult(result) },
          'sendNotify looks down: pausing the queue for every worker; jobs go back without using an attempt',
        );
      }
      await outage.pauseQueue(verdict.pauseMs);
      throw Worker.RateLimitError();
    }
    const delayMs = retryDelay({
      retryNumber: attemptsMade,
      baseMs: job.opts.backoff && typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? config.backoffMs) : config.backoffMs,
      ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
    });
    const decision = decideRetry({
      now: Date.now(),
      deadline: data.deadline,
      attemptsMade,
      attempts: job.opts.attempts ?? config.attempts,
      delayMs,
    });
    if (decision.action === 'dead-letter') {
      const lastError =
        decision.reason === 'expired'
          ? `${describeResult(result)}; a retry in ${delayMs} ms would land after the deadline`
          : describeResult(result);
      return deadLetter(job, data, decision.reason, { attempts: attemptsMade, lastError, result }, log);
    }
    hooks?.onRetry?.(data, decision.delayMs, result);
    log.info({ delayMs: decision.delayMs, result: describeResult(result) }, 'will retry');
    throw new RetryableDeliveryError(describeResult(result), decision.delayMs, result);
  }

  return process;
}
