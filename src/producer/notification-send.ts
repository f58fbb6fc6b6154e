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
import { resolveTiming, type SendOptions } from './send-options.js';

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

/** Producer.send without its span: validate, then queue the chunks, reserving the idempotency key first. */
export async function sendNotification(ctx: SendContext, notification: NotificationInput, options: SendOptions, span: Span): Promise<SendResult> {
  const { config } = ctx;
  const parsed = fastNotification(notification) ?? parseOrThrow(NotificationSchema, notification, 'notification');
  if (parsed.openIds !== undefined) span.setAttribute('neupush.recipients', parsed.openIds.length);
  const now = ctx.clock.now();
  const timing = resolveTiming(options, now, config.maxLatenessMs);
  const cap = sendCap(config, timing.frequencyCap);
  if (timing.idempotencyKey === undefined) {
    const id = `n-${randomUUID()}`;
    const jobs = deliveryJobs(config, id, parsed, timing.sendAt, timing.deadline, now, cap);
    await addInBatches(ctx.deliveries, jobs);
    return { id, jobs: jobs.length, duplicate: false };
  }
  const digest = idempotencyDigest(timing.idempotencyKey);
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
  if (first.fp !== undefined && first.fp !== record.fp) throw new IdempotencyConflictError(timing.idempotencyKey);
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
    ...(frequencyCap !== undefined && { frequencyCap }),
  });
}

/** One-off sends are transactional: capped only when asked (`true`: the deployment's default cap). */
function sendCap(config: Readonly<Config>, input: unknown): FrequencyCap | undefined {
  if (input === undefined) return undefined;
  const { cap, issues } = resolveFrequencyCap(input, config.frequencyCap, 'none');
  if (issues.length > 0) throw new ValidationError('send options', issues);
  return cap;
}
