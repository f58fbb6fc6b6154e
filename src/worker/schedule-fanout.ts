import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisConnection } from '../shared/redis.js';
import { chunkedDeliveryJobs } from '../shared/delivery-jobs.js';
import type { Config } from '../shared/config.js';
import { describeIssues } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { JOB_NAME, PRIORITY, SCHEDULE_QUEUE } from '../shared/queue-names.js';
import { addInBatches, openDeliveryQueue } from '../shared/queues.js';
import { firingNotificationId, ScheduleFiringSchema, type ScheduleFiringData } from '../shared/schedule-data.js';
import { toFieldIssues } from '../shared/zod-issues.js';
import { bullmqTelemetry } from '../shared/telemetry.js';

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
  const deliveries = openDeliveryQueue(config, redis);
  deliveries.on('error', (e) => log.error({ err: e }, 'delivery queue error'));

  const worker = new Worker<ScheduleFiringData, { jobs: number }>(
    SCHEDULE_QUEUE,
    async (job) => {
      const parsed = ScheduleFiringSchema.safeParse(job.data);
      if (!parsed.success) {
        const why = describeIssues(toFieldIssues(parsed.error));
        throw new UnrecoverableError(`schedule firing data fails the schema: ${why}`);
      }
      const { scheduleId, notification } = parsed.data;
      const firingAt = firingInstant(job);
      const id = firingNotificationId(scheduleId, firingAt);
      const jobs = chunkedDeliveryJobs(config, {
        id,
        notification,
        name: JOB_NAME.scheduledNotification,
        priority: PRIORITY.campaign,
        sendAt: firingAt,
        deadline: firingAt + config.maxLatenessMs,
        now: Date.now(),
        // A firing is a recurring promotion, not a transactional send: the deployment's cap applies.
        ...(config.frequencyCap !== undefined && { frequencyCap: config.frequencyCap }),
      });
      await addInBatches(deliveries, jobs);
      log.info({ scheduleId, firingAt: new Date(firingAt).toISOString(), jobs: jobs.length }, 'schedule fired');
      return { jobs: jobs.length };
    },
    { connection: redis, prefix: config.prefix, concurrency: 4, ...bullmqTelemetry() },
  );
  worker.on('error', (e) => log.error({ err: e }, 'schedule worker error'));
  worker.on('failed', (job, e) => log.error({ jobId: job?.id, err: e }, 'schedule firing failed'));

  return {
    worker,
    async close(force = false) {
      await Promise.allSettled([worker.close(force)]);
      await Promise.allSettled([deliveries.close()]);
    },
  };
}
