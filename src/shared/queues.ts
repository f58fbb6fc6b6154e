import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from './redis.js';
import type { Config } from './config.js';
import { BACKOFF_TYPE, DEAD_LETTER_QUEUE, DELIVERY_QUEUE, SCHEDULE_QUEUE, WEBHOOK_DEAD_LETTER_QUEUE, WEBHOOK_QUEUE } from './queue-names.js';
import type { DeadLetterData, DeliveryJobData } from './job-data.js';
import type { ScheduleFiringData } from './schedule-data.js';
import { bullmqTelemetry } from './telemetry.js';
import type { WebhookDeadLetterData, WebhookJobData } from './webhook-jobs.js';

export type DeliveryQueue = Queue<DeliveryJobData>;
export type DeadLetterQueue = Queue<DeadLetterData>;
export type ScheduleQueue = Queue<ScheduleFiringData>;
export type WebhookQueue = Queue<WebhookJobData>;
export type WebhookDeadLetterQueue = Queue<WebhookDeadLetterData>;

export function openDeliveryQueue(config: Readonly<Config>, connection: RedisConnection): DeliveryQueue {
  return new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection, prefix: config.prefix, ...bullmqTelemetry() });
}

export function openDeadLetterQueue(config: Readonly<Config>, connection: RedisConnection): DeadLetterQueue {
  return new Queue<DeadLetterData>(DEAD_LETTER_QUEUE, { connection, prefix: config.prefix, ...bullmqTelemetry() });
}

export function openScheduleQueue(config: Readonly<Config>, connection: RedisConnection): ScheduleQueue {
  return new Queue<ScheduleFiringData>(SCHEDULE_QUEUE, { connection, prefix: config.prefix, ...bullmqTelemetry() });
}

export function openWebhookQueue(config: Readonly<Config>, connection: RedisConnection): WebhookQueue {
  return new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection, prefix: config.prefix });
}

export function openWebhookDeadLetterQueue(config: Readonly<Config>, connection: RedisConnection): WebhookDeadLetterQueue {
  return new Queue<WebhookDeadLetterData>(WEBHOOK_DEAD_LETTER_QUEUE, { connection, prefix: config.prefix });
}

/**
 * How long finished delivery and webhook jobs are kept: completed ones a while for dashboards, bounded so a
 * million-recipient campaign does not fill Redis; duplicate suppression does not depend on them. For
 * deliveries the worker applies it (BullMQ's worker-level removeOnComplete/removeOnFail), not each job:
 * options stored in every job are parsed again on every fetch, and these two were the larger part of them
 * (a few µs per delivery, and bytes per waiting job). Jobs queued by an earlier version carry their own,
 * the same. Webhook jobs carry it each (webhook-jobs.ts): they are few beside the deliveries.
 */
export const FINISHED_JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const satisfies Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'>;

/** Options of every delivery job (their retention is the worker's: FINISHED_JOB_RETENTION). */
export function deliveryJobOptions(
  config: Readonly<Config>,
  job: {
    jobId: string;
    delay: number;
    priority: number;
    /**
     * The instant `delay` was counted from. BullMQ makes a job due at its timestamp + delay and stamps the
     * timestamp when it builds the job, which in a large addBulk is up to a second after the caller took
     * `now`: every job would go out that much late. Default: BullMQ's own stamp.
     */
    timestamp?: number;
  },
): JobsOptions {
  // Assigned rather than spread: conditional spreads cost about a microsecond, which shows on a one-off send.
  const opts: JobsOptions = { jobId: job.jobId };
  if (job.delay > 0) opts.delay = job.delay;
  if (job.timestamp !== undefined) opts.timestamp = job.timestamp;
  opts.priority = job.priority;
  opts.attempts = config.attempts;
  opts.backoff = { type: BACKOFF_TYPE, delay: config.backoffMs };
  return opts;
}

/** Several addBulk batches in flight keep both cores busy (BASELINES.md): 4 batches of 1,000. */
export function addInBatches<T>(
  queue: Queue<T>,
  jobs: { name: string; data: T; opts: JobsOptions }[],
  batchSize = 1_000,
  inFlight = 4,
): Promise<void> {
  // One job (most one-off sends): a plain add is one script call, where addBulk wraps it in MULTI/EXEC.
  // Not an async function: its extra promise is a visible share of a one-off send.
  if (jobs.length === 1) {
    const [job] = jobs as [(typeof jobs)[number]];
    return queue.add(job.name as Parameters<Queue<T>['add']>[0], job.data as Parameters<Queue<T>['add']>[1], job.opts).then(done);
  }
  return addBatches(queue, jobs, batchSize, inFlight);
}

const done = (): void => {};

async function addBatches<T>(queue: Queue<T>, jobs: { name: string; data: T; opts: JobsOptions }[], batchSize: number, inFlight: number): Promise<void> {
  const batches: (typeof jobs)[] = [];
  for (let i = 0; i < jobs.length; i += batchSize) batches.push(jobs.slice(i, i + batchSize));
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as typeof jobs;
      // Queue<T>.addBulk's name type is narrowed by BullMQ generics; our names are plain strings.
      await queue.addBulk(batch as Parameters<Queue<T>['addBulk']>[0]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, batches.length) }, lane));
}
