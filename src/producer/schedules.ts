import { NotificationSchema, type Notification, type NotificationInput } from '../neuxnet/notification.js';
import { JOB_NAME } from '../shared/queue-names.js';
import type { ScheduleQueue } from '../shared/queues.js';
import { assertId, IDS } from '../shared/ids.js';
import type { ScheduleFiringData } from '../shared/schedule-data.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { resolveSchedule, type ScheduleOptions } from './schedule-options.js';

export interface ScheduleInfo {
  id: string;
  cron: string;
  timezone: string;
  startDate?: string;
  endDate?: string;
  /** The next firing, when there is one. */
  next?: string;
  notification?: Notification;
}

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

function toInfo(s: Awaited<ReturnType<ScheduleQueue['getJobSchedulers']>>[number]): ScheduleInfo {
  const data = s.template?.data as Partial<ScheduleFiringData> | undefined;
  return {
    id: s.key,
    cron: s.pattern ?? '',
    timezone: s.tz ?? '',
    ...(s.startDate && { startDate: new Date(s.startDate).toISOString() }),
    ...(s.endDate && { endDate: new Date(s.endDate).toISOString() }),
    ...(s.next && { next: new Date(s.next).toISOString() }),
    ...(data?.notification && { notification: data.notification as Notification }),
  };
}

export async function getSchedule(queue: ScheduleQueue, id: string): Promise<ScheduleInfo | undefined> {
  const s = await queue.getJobScheduler(id);
  return s ? toInfo(s) : undefined;
}

/** Every schedule, soonest next firing first. */
export async function listSchedules(queue: ScheduleQueue): Promise<ScheduleInfo[]> {
  return (await queue.getJobSchedulers(0, -1, true)).map(toInfo);
}

/** Remove a schedule and its pending firing; resolves false when there was none with this id. */
export async function removeSchedule(queue: ScheduleQueue, id: string): Promise<boolean> {
  assertId(IDS.schedule, id);
  return queue.removeJobScheduler(id);
}
