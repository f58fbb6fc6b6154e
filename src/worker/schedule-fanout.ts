import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisConnection } from '../shared/redis.js';
import { chunkNotification } from '../shared/chunk.js';
import type { Config } from '../shared/config.js';
import { coerceError } from '../shared/errors.js';
import type { DeliveryJobData } from '../shared/job-data.js';
import type { Logger } from '../shared/logger.js';
import { DELIVERY_QUEUE, JOB_NAME, PRIORITY, SCHEDULE_QUEUE } from '../shared/queue-names.js';
import { addInBatches, deliveryJobOptions } from '../shared/queues.js';
import { firingNotificationId, ScheduleFiringSchema, type ScheduleFiringData } from '../shared/schedule-data.js';
import { toFieldIssues } from '../shared/zod-issues.js';

export interface ScheduleFanout {
  readonly worker: Worker<ScheduleFiringData, { jobs: number }>;
  close(force?: boolean): Promise<void>;
}

/**
 * The instant a firing was due. BullMQ keeps it as `prevMillis` on the firing job; a firing picked up late
 * (no worker was running) keeps its due time, so the lateness window applies to it as to any send.
 */
export function firingInstant(job: Job): number {
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  return typeof prev === 'number' && prev > 0 ? prev : job.timestamp;
}

/**
 * Turns each firing of a recurring schedule into delivery jobs with ids derived from the schedule and the
 * firing instant, so a firing processed twice (a crash, a stall) queues each chunk once. Scheduled
 * deliveries rank with campaign chunks: one-off sends go first.
 */
export function startScheduleFanout(deps: { config: Readonly<Config>; redis: RedisConnection; logger: Logger }): ScheduleFanout {
  const { config, redis } = deps;
  const log = deps.logger.child({ component: 'schedules' });
  const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection: redis, prefix: config.prefix });
  deliveries.on('error', (e) => log.error({ err: e.message }, 'delivery queue error'));

  const worker = new Worker<ScheduleFiringData, { jobs: number }>(
    SCHEDULE_QUEUE,
    async (job) => {
      const parsed = ScheduleFiringSchema.safeParse(job.data);
      if (!parsed.success) {
        const why = toFieldIssues(parsed.error).map((i) => `${i.field}: ${i.rule}`).join('; ');
        throw new UnrecoverableError(`schedule firing data fails the schema: ${why}`);
      }
      const { scheduleId, notification } = parsed.data;
      const firingAt = firingInstant(job);
      const id = firingNotificationId(scheduleId, firingAt);
      const chunks = chunkNotification(notification, config.chunkSize);
      const now = Date.now();
      await addInBatches(
        deliveries,
        chunks.map((chunk, index) => {
          const jobId = `${id}.${index}`;
          const data: DeliveryJobData = {
            v: 1,
            notificationId: id,
            deliveryKey: jobId,
            notification: chunk,
            sendAt: firingAt,
            deadline: firingAt + config.maxLatenessMs,
            ...(chunks.length > 1 && { chunk: { index, count: chunks.length } }),
          };
          return {
            name: JOB_NAME.scheduledNotification,
            data,
            opts: deliveryJobOptions(config, { jobId, delay: firingAt - now, priority: PRIORITY.campaign, timestamp: now }),
          };
        }),
      );
      log.info({ scheduleId, firingAt: new Date(firingAt).toISOString(), jobs: chunks.length }, 'schedule fired');
      return { jobs: chunks.length };
    },
    { connection: redis, prefix: config.prefix, concurrency: 4 },
  );
  worker.on('error', (e) => log.error({ err: coerceError(e).message }, 'schedule worker error'));
  worker.on('failed', (job, e) => log.error({ jobId: job?.id, err: e.message }, 'schedule firing failed'));

  return {
    worker,
    async close(force = false) {
      await Promise.allSettled([worker.close(force)]);
      await Promise.allSettled([deliveries.close()]);
    },
  };
}
