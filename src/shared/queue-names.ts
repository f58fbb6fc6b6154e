/**
 * Queue names. WARNING: renaming one strands every job already queued under the old name
 * (BullMQ keys are `${prefix}:${queue}:...`); add a migration instead.
 */
export const DELIVERY_QUEUE = 'deliveries';
export const DEAD_LETTER_QUEUE = 'dead-letters';
/** Recurring schedules (BullMQ job schedulers); each firing fans out into delivery jobs. */
export const SCHEDULE_QUEUE = 'schedules';
/** Signed webhook events, one job per event and receiver URL; and those that could not be delivered. */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_DEAD_LETTER_QUEUE = 'webhook-dead-letters';

/** Job names, shown in dashboards. */
export const JOB_NAME = {
  notification: 'notification',
  campaignChunk: 'campaign-chunk',
  scheduleFiring: 'schedule-firing',
  scheduledNotification: 'scheduled-notification',
  /** An activity card's show (status 1) and remove (status 0): named apart, so Bull Board tells them apart. */
  activityShow: 'activity-show',
  activityRemove: 'activity-remove',
} as const;

/** BullMQ priorities: lower runs first. One-off sends jump ahead of campaign chunks. */
export const PRIORITY = {
  oneOff: 1,
  campaign: 100,
} as const;

/** Our own keys beside BullMQ's, under the same prefix so a hash-tagged prefix keeps them in one slot. */
export function keyOf(prefix: string, ...parts: string[]): string {
  // Concatenated rather than joined from a new array: it runs a few times per delivery.
  let key = `${prefix}:np`;
  for (const part of parts) key += `:${part}`;
  return key;
}

/** The custom backoff type our delivery jobs name; the worker registers the strategy. */
export const BACKOFF_TYPE = 'neupush';
