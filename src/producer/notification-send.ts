import { randomUUID } from 'node:crypto';
import type { Clock } from '../neuxnet/clock.js';
import { NotificationSchema, type Notification, type NotificationInput } from '../neuxnet/notification.js';
import type { Config } from '../shared/config.js';
import { chunkedDeliveryJobs } from '../shared/delivery-jobs.js';
import { IdempotencyConflictError, ValidationError } from '../shared/errors.js';
import { resolveFrequencyCap, type FrequencyCap } from '../shared/frequency-cap.js';
import { JOB_NAME, PRIORITY } from '../shared/queue-names.js';
import { addInBatches, type DeliveryQueue } from '../shared/queues.js';
import type { RedisConnection } from '../shared/redis.js';
import type { Span } from '../shared/spans.js';
import { coalesceWrites } from '../shared/write-coalescing.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { fastNotification } from './fast-notification.js';
import {
  idempotencyDigest,
  idempotencyRecordKey,
  markIdempotencyDone,
  requestFingerprint,
  reserveIdempotencyKey,
  type IdempotencyRecord,
} from './idempotency.js';
import { resolveTiming, type ResolvedSendOptions, type SendOptions } from './send-options.js';

export interface SendResult {
  /** The notification's id; every delivery job's id starts with it. */
  id: string;
  /** Delivery jobs queued: one per request of at most NEUPUSH_CHUNK_SIZE openIds. */
  jobs: number;
  /**
   * True when an idempotency key had already been used for this same request: nothing new was queued
   * (beyond completing that first request's jobs, had it been interrupted), and `id`, `jobs` are its own.
   */
  duplicate: boolean;
}

/** What a one-off send runs on; the producer makes it once, so a send allocates no context of its own. */
export interface SendContext {
  config: Readonly<Config>;
  redis: RedisConnection;
  deliveries: DeliveryQueue;
  clock: Clock;
}

/**
 * Producer.send without its span: validate, then queue the chunks, reserving the idempotency key first.
 * Not an async function: the common send (no key) is one add and a `then`, without the frame an async
 * function keeps for its locals, which is a visible share of a one-off send's garbage. Every refusal still
 * comes back as a rejected promise, never as a throw.
 */
export function sendNotification(ctx: SendContext, notification: NotificationInput, options: SendOptions, span: Span): Promise<SendResult> {
  const { config } = ctx;
  let parsed: Notification;
  let now: number;
  let timing: ResolvedSendOptions;
  let cap: FrequencyCap | undefined;
  try {
    parsed = fastNotification(notification) ?? parseOrThrow(NotificationSchema, notification, 'notification');
    now = ctx.clock.now();
    timing = resolveTiming(options, now, config.maxLatenessMs);
    cap = sendCap(config, timing.frequencyCap);
  } catch (error) {
    return Promise.reject(error);
  }
  if (parsed.openIds !== undefined) span.setAttribute('neupush.recipients', parsed.openIds.length);
  // Checked and refused above without a word to Redis; from here on, the sends of this turn share a write.
  coalesceWrites(ctx.redis);
  if (timing.idempotencyKey !== undefined) return sendOnce(ctx, parsed, timing, timing.idempotencyKey, now, cap);
  const id = `n-${randomUUID()}`;
  const jobs = deliveryJobs(config, id, parsed, timing.sendAt, timing.deadline, now, cap);
  const result: SendResult = { id, jobs: jobs.length, duplicate: false };
  return addInBatches(ctx.deliveries, jobs).then(() => result);
}

/** A send under an idempotency key: the key is reserved with the request's fingerprint before any job is added. */
async function sendOnce(
  ctx: SendContext,
  parsed: Notification,
  timing: ResolvedSendOptions,
  idempotencyKey: string,
  now: number,
  cap: FrequencyCap | undefined,
): Promise<SendResult> {
  const { config } = ctx;
  const digest = idempotencyDigest(idempotencyKey);
  const key = idempotencyRecordKey(config.prefix, digest);
  // Derived from the key, so every request under it names the same job ids and BullMQ keeps one of each.
  const id = `k-${digest.slice(-32)}`;
  const jobs = deliveryJobs(config, id, parsed, timing.sendAt, timing.deadline, now, cap);
  const record: IdempotencyRecord = {
    v: 1,
    fp: requestFingerprint(parsed, cap === undefined ? timing.given : { ...timing.given, capMax: cap.max, capPerMs: cap.perMs }),
    id,
    jobs: jobs.length,
    sendAt: timing.sendAt,
    deadline: timing.deadline,
    now,
  };
  const first = await reserveIdempotencyKey(ctx.redis, key, record, config.dedupTtlMs);
  if (first === undefined) {
    await addInBatches(ctx.deliveries, jobs);
    await markIdempotencyDone(ctx.redis, key, record);
    return { id, jobs: jobs.length, duplicate: false };
  }
  if (first.fp !== undefined && first.fp !== record.fp) throw new IdempotencyConflictError(idempotencyKey);
  if (first.fp !== undefined && first.done === undefined) {
    // Under way or interrupted: queue the first request's jobs (those already there are kept as they are).
    await addInBatches(ctx.deliveries, deliveryJobs(config, first.id, parsed, first.sendAt, first.deadline, first.now, cap));
    await markIdempotencyDone(ctx.redis, key, first);
  }
  return { id: first.id, jobs: first.jobs, duplicate: true };
}

function deliveryJobs(
  config: Readonly<Config>,
  id: string,
  notification: Notification,
  sendAt: number,
  deadline: number,
  now: number,
  frequencyCap: FrequencyCap | undefined,
) {
  return chunkedDeliveryJobs(config, {
    id,
    notification,
    name: JOB_NAME.notification,
    priority: PRIORITY.oneOff,
    sendAt,
    deadline,
    now,
    frequencyCap,
  });
}

/** One-off sends are transactional: capped only when asked (`true`: the deployment's default cap). */
function sendCap(config: Readonly<Config>, input: unknown): FrequencyCap | undefined {
  if (input === undefined) return undefined;
  const { cap, issues } = resolveFrequencyCap(input, config.frequencyCap, 'none');
  if (issues.length > 0) throw new ValidationError('send options', issues);
  return cap;
}
