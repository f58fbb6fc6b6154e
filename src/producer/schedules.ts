import { NotificationSchema, type NotificationInput } from '../neuxnet/notification.js';
import { JOB_NAME } from '../shared/queue-names.js';
import type { ScheduleQueue } from '../shared/queues.js';
import { assertId, IDS } from '../shared/ids.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { resolveSchedule, type ScheduleOptions } from './schedule-options.js';
import { getSchedule, type ScheduleInfo } from '../shared/schedule-list.js';

export { getSchedule, listSchedules, type ScheduleInfo } from '../shared/schedule-list.js';

/**
 * Create or replace a recurring schedule. Every firing becomes ordinary delivery jobs (chunked like any
 * send), due at the firing instant with NEUPUSH_MAX_LATENESS to go out.
 */
export async function upsertSchedule(
  queue: ScheduleQueue,
  id: string,
  options: ScheduleOptions,
  notification: NotificationInput,
  now: number,
): Promise<ScheduleInfo> {
  const resolved = resolveSchedule(id, options, now);
  const parsed = parseOrThrow(NotificationSchema, notification, 'notification');
  await queue.upsertJobScheduler(
    id,
    {
      pattern: resolved.pattern,
      tz: resolved.tz,
      ...(resolved.startDate !== undefined && { startDate: resolved.startDate }),
      ...(resolved.endDate !== undefined && { endDate: resolved.endDate }),
    },
    {
      name: JOB_NAME.scheduleFiring,
      data: { v: 1, scheduleId: id, notification: parsed },
      // The fan-out is idempotent (deterministic delivery job ids), so retrying it is safe.
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { count: 100 }, removeOnFail: { age: 7 * 24 * 3600 } },
    },
  );
  return (await getSchedule(queue, id)) ?? { id, cron: resolved.pattern, timezone: resolved.tz, next: new Date(resolved.next).toISOString() };
}

/** Remove a schedule and its pending firing; resolves false when there was none with this id. */
export async function removeSchedule(queue: ScheduleQueue, id: string): Promise<boolean> {
  assertId(IDS.schedule, id);
  return queue.removeJobScheduler(id);
}
