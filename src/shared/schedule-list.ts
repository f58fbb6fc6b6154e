import type { Notification } from '../neuxnet/notification.js';
import type { ScheduleQueue } from './queues.js';
import type { ScheduleFiringData } from './schedule-data.js';

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
