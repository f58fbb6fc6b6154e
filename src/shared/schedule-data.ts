import { z } from 'zod';
import { NotificationSchema } from '../neuxnet/notification.js';

/**
 * The data of every firing of a recurring schedule (a BullMQ job scheduler's template): the notification
 * as validated when the schedule was set. Each firing is fanned out by the worker into ordinary delivery
 * jobs, so retries, dead letters, redrives and duplicate suppression work as for any send.
 */
export const ScheduleFiringSchema = z.object({
  v: z.literal(1),
  scheduleId: z.string().min(1),
  notification: NotificationSchema,
});

export type ScheduleFiringData = z.infer<typeof ScheduleFiringSchema>;

/** Delivery jobs of one firing: `s-<schedule>.<firing instant ms>.<chunk>`, deterministic per firing. */
export function firingNotificationId(scheduleId: string, firingAt: number): string {
  return `s-${scheduleId}.${firingAt}`;
}
