import { z } from 'zod';
import { NotificationSchema } from '../neuxnet/notification.js';
import { ActivityCardSchema } from '../neuxnet/activity.js';
import { ID_PATTERN } from './ids.js';

/** What every delivery job carries, whatever it sends. */
const deliveryBase = {
  v: z.literal(1),
  /**
   * Stable across redrives: the duplicate-suppression record is keyed by it, so a redriven chunk that
   * the platform already accepted is not sent again.
   */
  deliveryKey: z.string().min(1),
  /** Intended send time, ms since epoch (BullMQ resets `delay` on promotion, so keep it here). */
  sendAt: z.number().int(),
  /** Past this instant it is not sent; it is dead-lettered as `expired`. */
  deadline: z.number().int(),
  campaignId: z.string().min(1).optional(),
  chunk: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }).optional(),
  redrives: z.number().int().min(0).optional(),
  /**
   * W3C trace context of the send or campaign creation that queued it, when tracing was on: the delivery's
   * spans join that trace. Ids and flags only; a malformed one starts a new trace (shared/spans.ts).
   */
  traceparent: z.string().optional(),
};

/**
 * One notification delivery job: one sendNotify request's worth of notification (openIds already chunked).
 * Never holds the secret, a signature or a timestamp: those are made when the request is sent. `kind` is
 * absent on jobs queued before activity cards existed, and on every notification job neupush queues.
 */
export const NotificationJobSchema = z.object({
  ...deliveryBase,
  kind: z.literal('notification').optional(),
  /** The id `send` returned, shared by every chunk of one notification. */
  notificationId: z.string().min(1),
  notification: NotificationSchema,
  /**
   * The per-user frequency cap this delivery counts under (shared/frequency-cap.ts): the worker leaves out
   * of the request every openId that already had `max` capped notifications in the last `perMs`.
   * Absent: not capped, and not counted. Notifications only: activity cards are not capped.
   */
  frequencyCap: z.object({ max: z.number().int().min(1), perMs: z.number().int().min(1) }).optional(),
});

/**
 * One sendActivity request's worth of an activity card (show, status 1, or remove, status 0): its content,
 * its id and one chunk of its audience. The validity is stored as the caller gave it (`validityTime` in
 * seconds, or the instant `until`) and turned into seconds at the moment of sending.
 */
export const ActivityJobSchema = z.object({
  ...deliveryBase,
  kind: z.literal('activity'),
  activity: z
    .object({
      activityId: z.string().regex(ID_PATTERN, 'must match the activity id pattern'),
      status: z.union([z.literal(0), z.literal(1)]),
      openIds: z.array(z.string().min(1)).min(1),
      title: z.string().min(1),
      text: z.string().min(1),
      color: z.string().regex(/^[0-9A-Fa-f]{6}$/),
      templateId: z.string().min(1),
      iconUrl: z.string().min(1),
      path: z.string().min(1).optional(),
      language: ActivityCardSchema.in.shape.language,
      /** Seconds, as the vendor takes it (shows only). */
      validityTime: z.number().int().min(1).optional(),
      /** The card's end, ms since epoch (shows only): validity = ceil((until - now) / 1000) when sent. */
      until: z.number().int().optional(),
      /** When the card's remove is due, ms (a show queued with removeAt): a show still pending then is superseded. */
      removeAt: z.number().int().optional(),
      /**
       * A redriven show's original intended send time: a remove supersedes the shows meant before it, and a
       * redrive (whose sendAt is the redrive's now) must not turn an old show into one meant after the remove.
       */
      since: z.number().int().optional(),
    })
    .refine((a) => a.status === 0 || a.validityTime !== undefined || a.until !== undefined, {
      message: 'a show (status 1) needs validityTime or until',
      path: ['validityTime'],
    }),
});

/** Either kind, told apart by `kind` (absent: a notification). */
export const DeliveryJobSchema = z.union([NotificationJobSchema, ActivityJobSchema]);

/** The schema for this raw job data's kind, so a failure names the fields of the kind it claims to be. */
export function jobSchemaFor(raw: unknown): typeof NotificationJobSchema | typeof ActivityJobSchema {
  return raw !== null && typeof raw === 'object' && (raw as { kind?: unknown }).kind === 'activity' ? ActivityJobSchema : NotificationJobSchema;
}

export type NotificationJobData = z.infer<typeof NotificationJobSchema>;
export type ActivityJobData = z.infer<typeof ActivityJobSchema>;
export type DeliveryJobData = NotificationJobData | ActivityJobData;

export function isActivityJob(d: DeliveryJobData): d is ActivityJobData {
  return d.kind === 'activity';
}

/**
 * `superseded`: an activity show dropped because its card's remove was due or had run (remove wins).
 */
export const DEAD_LETTER_REASONS = ['expired', 'rejected', 'exhausted', 'invalid', 'superseded'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A dead-letter entry: enough to understand the failure and to redrive it. */
export interface DeadLetterData {
  v: 1;
  reason: DeadLetterReason;
  /** sendNotify calls made for this delivery (0 for `expired` before the first call, and `invalid`). */
  attempts: number;
  lastStatus?: number;
  lastHttpStatus?: number;
  lastError: string;
  /** The delivery job this entry came from. */
  jobId: string;
  /** The job data as it was; for `invalid`, whatever was there (it failed the schema). */
  delivery: DeliveryJobData | unknown;
  queuedAt: number;
  failedAt: number;
}

/** The notification of a job known to be one (tests, benchmarks, the demo); throws for an activity job. */
export function notificationOf(d: DeliveryJobData): NotificationJobData['notification'] {
  if (d.kind === 'activity') throw new TypeError(`delivery ${d.deliveryKey} is an activity card, not a notification`);
  return d.notification;
}
