import { DelayedError, Worker, type Job } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { DeadLetterReason, DeliveryJobData } from '../shared/job-data.js';
import type { DeadLetterQueue } from '../shared/queues.js';
import { claimDelivery, recordSent, releaseClaim } from './sent-records.js';
import type { SendNotifyClient, SendNotifyResult as SendResult } from '../neuxnet/client.js';
import { systemClock, type Clock } from '../neuxnet/clock.js';
import { shouldResignAfterSkew } from '../neuxnet/clock-skew.js';
import type { RedisConnection } from '../shared/redis.js';
import { describeResult, writeDeadLetter } from './dead-letter-writer.js';
import { RetryableDeliveryError } from './retryable-error.js';
import type { BreakerVerdict, OutageBreaker } from './outage-breaker.js';
import { callWindowMs } from './call-window.js';
import { decideAfterCall, decideBeforeCall, type Decision, type LateDecision } from './delivery-decision.js';
import { checkJobData } from './job-data-check.js';
import { lazyJobLogger, type JobLogger } from './job-logger.js';
import { tracedCall } from './delivery-spans.js';
import { chunkCap, type CappedChunk } from './chunk-cap.js';
import type { DeliveryOutcome, ProcessorHooks } from './processor-hooks.js';
import { activityGate } from './activity-claim.js';
import { validitySeconds } from '../neuxnet/activity.js';
import { isThenable } from './thenable.js';

export interface ProcessorDeps {
  config: Readonly<Config>;
  client: SendNotifyClient;
  deadLetters: DeadLetterQueue;
  redis: RedisConnection;
  logger: Logger;
  hooks?: ProcessorHooks;
  /** Local time for deadlines, lateness and the outage breaker. Default: the system clock. */
  clock?: Clock;
  /**
   * Global backoff during a sendNotify outage: when the breaker says so, the processor calls `pauseQueue`
   * (BullMQ's worker.rateLimit) and hands the job back with Worker.RateLimitError, which uses no attempt.
   */
  outage?: { breaker: OutageBreaker; pauseQueue(ms: number): Promise<void> };
}

/** What one claimed run came to, before its claim is settled. */
type Attempt =
  | { kind: 'dropped'; why: string }
  | { kind: 'late'; decision: LateDecision }
  | CappedChunk
  /** A remove while shows of its card are still calling: it goes after them (activity-claim.ts). */
  | { kind: 'wait'; ms: number }
  /** `sent`: the job data as it went out (without the capped openIds); `capped`: how many were left out. */
  | { kind: 'called'; decision: Decision; result: SendResult; attemptsMade: number; sent: DeliveryJobData; capped: number };

/**
 * The delivery processor: read the job data, claim the delivery (duplicate suppression), then deadline
 * check, sign and send (inside the client), classify, and carry out the one decision (delivery-decision.ts):
 * done, retry (by throwing RetryableDeliveryError), dead-letter, or pause the queue. A job never fails
 * finally through this path: before its last attempt would fail it is dead-lettered with the reason.
 */
export function createProcessor(deps: ProcessorDeps) {
  const { config, client, deadLetters, redis, outage } = deps;
  const hooks = deps.hooks ?? {};
  const clock = deps.clock ?? systemClock;
  const claimMs = callWindowMs(config.timeoutMs);
  // A tombstone outlives every show it can supersede: none is pending past its deadline.
  const activities = activityGate(redis, config.prefix, config.dedupTtlMs + config.maxLatenessMs);
  const { capOrRelease, recountCapped } = chunkCap({ redis, prefix: config.prefix, clock, hooks });

  async function deadLetter(
    job: Job,
    data: DeliveryJobData | undefined,
    decision: { reason: DeadLetterReason; lastError: string },
    attempts: number,
    log: JobLogger,
    result?: SendResult,
    capped = 0,
  ): Promise<DeliveryOutcome> {
    const { reason, lastError } = decision;
    // With capped openIds left out, the dead letter holds the request as sent: a redrive never sends to them.
    const delivery = capped > 0 ? data : undefined;
    await writeDeadLetter(deadLetters, job, reason, { attempts, lastError, failedAt: clock.now(), ...(result && { result }), ...(delivery && { delivery }) });
    log().warn({ reason, attempts, lastError, ...(capped > 0 && { capped }) }, 'dead-lettered');
    await hooks.onDeadLettered?.(data, reason, job, { attempts, lastError, ...(capped > 0 && { capped }) });
    return { status: 'dead-lettered', reason };
  }

  /** A run of this delivery holds the claim (its worker lost the job's lock but is still calling). */
  async function deferWhileClaimed(
    job: Job,
    token: string | undefined,
    retryInMs: number,
    log: JobLogger,
    why = 'another run of this delivery is calling sendNotify',
  ): Promise<never> {
    // Look again every 2 s rather than only when the claim lapses: the holder usually finishes in a moment.
    const delayMs = Math.min(retryInMs, 2_000) + 250;
    log().info({ delayMs }, `${why}; checking again when its claim lapses`);
    if (token === undefined) {
      throw new RetryableDeliveryError('claimed by another run', delayMs, { outcome: 'retryable', msg: 'claimed by another run' });
    }
    // Delayed, not failed: waiting for another run is no attempt of this one. BullMQ compares the
    // timestamp with its own Date.now(), so it is real time, not the injected clock.
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  async function process(job: Job, token?: string): Promise<DeliveryOutcome> {
    const log = lazyJobLogger(deps.logger, job);
    const checked = checkJobData(job.data);
    if (!checked.ok) return deadLetter(job, undefined, { reason: 'invalid', lastError: checked.why }, 0, log);
    const data = checked.data;

    const claim = await claimDelivery(redis, config.prefix, data.deliveryKey, claimMs);
    if (claim.state === 'sent') {
      log().info({ deliveryKey: data.deliveryKey }, 'already accepted by the platform; not sending again');
      const recount = await recountCapped(data);
      await (recount ? hooks.onDelivered?.(recount.sent, job, { capped: recount.capped }) : hooks.onDelivered?.(data, job));
      return { status: 'duplicate-suppressed' };
    }
    if (claim.state === 'held') return deferWhileClaimed(job, token, claim.retryInMs, log);

    const release = () =>
      releaseClaim(redis, config.prefix, data.deliveryKey, claim.token).catch((e: unknown) =>
        log().warn({ err: e }, 'could not release the delivery claim; it lapses on its own'),
      );
    let attempt: Attempt;
    try {
      attempt = await attemptClaimed(job, data, log);
    } catch (error) {
      await release();
      throw error;
    }
    // Delivered: the sent record replaces the claim; anything else gives it up at once, so a retry can claim.
    if (attempt.kind !== 'called' || attempt.decision.kind !== 'delivered') await release();
    switch (attempt.kind) {
      case 'dropped':
        log().info({ why: attempt.why }, 'dropped without sending');
        return { status: 'dropped', why: attempt.why };
      case 'late':
        return deadLetter(job, data, attempt.decision, job.attemptsMade, log);
      case 'capped':
        log().info({ capped: attempt.capped }, 'every recipient is at its frequency cap; nothing to send');
        await hooks.onDelivered?.(attempt.sent, job, { capped: attempt.capped });
        return { status: 'capped', capped: attempt.capped };
      case 'wait':
        return deferWhileClaimed(job, token, attempt.ms, log, 'a show of this activity card is still calling sendActivity; its remove goes after it');
      case 'called':
        // Awaited here rather than returned: one promise resolution fewer on every delivery.
        return await carryOut(job, attempt, log);
    }
  }

  /** Everything between the claim and its settling: deadline, the last word of the hooks, the call, the decision. */
  async function attemptClaimed(job: Job, data: DeliveryJobData, log: JobLogger): Promise<Attempt> {
    const startedAt = clock.now();
    // Remove wins: a superseded show is reported so, even when it is also late.
    // The gate, the hooks and the cap answer most deliveries at once: each is awaited only when it returned a promise.
    const entering = activities.enter(data, startedAt, claimMs);
    const gate = isThenable(entering) ? await entering : entering;
    if (gate.kind === 'superseded') return { kind: 'late', decision: { kind: 'dead-letter', reason: 'superseded', lastError: `not shown: ${gate.why}` } };
    if (gate.kind === 'wait') return { kind: 'wait', ms: gate.ms };
    let result: SendResult;
    let sent: DeliveryJobData;
    let capped: number;
    try {
      const late = decideBeforeCall(startedAt, data.deadline);
      if (late) return { kind: 'late', decision: late };

      const asked = hooks.beforeSend?.(data, job);
      const dropWhy = isThenable(asked) ? await asked : asked;
      if (dropWhy !== undefined) return { kind: 'dropped', why: dropWhy };
      // After the last word of the hooks, so a dropped chunk records nothing; before the call, so it sends only these.
      const capping = capOrRelease(job, data);
      const cap = isThenable(capping) ? await capping : capping;
      if (cap.kind === 'capped') return cap;
      ({ sent, capped } = cap);
      result = await callWithResign(job, sent, startedAt - data.sendAt, log);
    } finally {
      const leaving = gate.leave();
      if (isThenable(leaving)) await leaving;
    }
    const attemptsMade = job.attemptsMade + 1;
    hooks.onCall?.(sent, result, startedAt - data.sendAt, job);

    const now = clock.now();
    const breaker = consultBreaker(result, data.deliveryKey, now, log);
    const backoff = job.opts.backoff;
    const decision = decideAfterCall({
      result,
      now,
      deadline: data.deadline,
      attemptsMade,
      attempts: job.opts.attempts ?? config.attempts,
      backoffMs: (typeof backoff === 'object' ? backoff.delay : undefined) ?? config.backoffMs,
      random: Math.random(),
      ...(breaker && { breaker }),
    });
    return { kind: 'called', decision, attemptsMade, result, sent, capped };
  }

  /** One call to the endpoint of the job's kind; an activity's validity is computed now, at the moment of sending. */
  function send(data: DeliveryJobData): Promise<SendResult> {
    if (data.kind !== 'activity') return tracedCall('sendNotify', () => client.sendNotify(data.notification));
    const { validityTime, until, removeAt: _removeAt, since: _since, ...card } = data.activity;
    const validity = validitySeconds(card.status, { validityTime, until }, clock.now());
    return tracedCall('sendActivity', () => client.sendActivity({ ...card, validityTime: validity }));
  }

  /** The call, signed again once when the platform refused a timestamp our clock got wrong. */
  async function callWithResign(job: Job, data: DeliveryJobData, lateness: number, log: JobLogger): Promise<SendResult> {
    try {
      const first = await send(data);
      if (!shouldResignAfterSkew(first, client.signingTime())) return first;
      hooks.onCall?.(data, first, lateness, job);
      log().warn(
        { signedAt: first.signedAt, serverDate: first.serverDateMs, result: describeResult(first) },
        "rejected for its timestamp; the clock has learned the platform's time from the answer, signing again",
      );
      return await send(data);
    } finally {
      const after = hooks.afterSend?.(data, job);
      if (isThenable(after)) await after;
    }
  }

  /** Feeds the answer to the outage breaker; its verdict only matters for a retryable answer. */
  function consultBreaker(result: SendResult, deliveryKey: string, now: number, log: JobLogger): BreakerVerdict | undefined {
    if (!outage) return undefined;
    if (result.outcome === 'retryable') return outage.breaker.onRetryable(deliveryKey, now, result.retryAfterMs);
    const closed = outage.breaker.onAnswered();
    if (closed) log().info('sendNotify answers again; taking jobs again');
    return undefined;
  }

  async function delivered(job: Job, data: DeliveryJobData, result: SendResult, log: JobLogger, capped: number): Promise<DeliveryOutcome> {
    // Awaited before the job may complete, not left to ride along with BullMQ's completion: the two go over
    // different connections, so the completion could reach Redis first, and a crash in between would leave a
    // completed job guarded only by its claim, which lapses; a later run of the same deliveryKey (a redrive,
    // a repeated send) would call again. It costs a round trip of latency, not CPU.
    await recordSent(redis, config.prefix, data.deliveryKey, config.dedupTtlMs);
    log.info({ recipients: result.recipients, ms: result.durationMs, ...(capped > 0 && { capped }) }, 'delivered');
    await (capped > 0 ? hooks.onDelivered?.(data, job, { capped }) : hooks.onDelivered?.(data, job));
    return { status: 'delivered', recipients: result.recipients };
  }

  async function carryOut(job: Job, attempt: Extract<Attempt, { kind: 'called' }>, log: JobLogger): Promise<DeliveryOutcome> {
    const { decision, attemptsMade, result, sent: data, capped } = attempt;
    switch (decision.kind) {
      case 'delivered':
        return await delivered(job, data, result, log, capped);
      case 'dead-letter':
        return deadLetter(job, data, decision, attemptsMade, log, result, capped);
      case 'pause': {
        if (decision.tripped) {
          log().warn(
            { pauseMs: decision.ms, result: describeResult(result) },
            'sendNotify looks down: pausing the queue for every worker; jobs go back without using an attempt',
          );
        }
        await outage?.pauseQueue(decision.ms);
        throw Worker.RateLimitError();
      }
      case 'retry': {
        hooks.onRetry?.(data, decision.delayMs, result);
        log().info({ delayMs: decision.delayMs, result: describeResult(result) }, 'will retry');
        throw new RetryableDeliveryError(describeResult(result), decision.delayMs, result);
      }
    }
  }

  return process;
}
