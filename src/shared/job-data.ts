import { z } from 'zod';
import { NotificationSchema } from '../neuxnet/notification.js';

/**
 * One delivery job: one sendNotify request's worth of notification (openIds already chunked).
 * Never holds the secret, a signature or a timestamp: those are made when the request is sent.
 */
export const DeliveryJobSchema = z.object({
  v: z.literal(1),
  /** The id `send` returned, shared by every chunk of one notification. */
  notificationId: z.string().min(1),
  /**
   * Stable across redrives: the duplicate-suppression record is keyed by it, so a redriven chunk that
   * the platform already accepted is not sent again.
   */
  deliveryKey: z.string().min(1),
  notification: NotificationSchema,
  /** Intended send time, ms since epoch (BullMQ resets `delay` on promotion, so keep it here). */
  sendAt: z.number().int(),
  /** Past this instant the notification is not sent; it is dead-lettered as `expired`. */
  deadline: z.number().int(),
  campaignId: z.string().min(1).optional(),
  chunk: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }).optional(),
  redrives: z.number().int().min(0).optional(),
  /**
   * W3C trace context of the send or campaign creation that queued it, when tracing was on: the delivery's
   * spans join that trace. Ids and flags only; a malformed one starts a new trace (shared/spans.ts).
   */
  traceparent: z.string().optional(),
  /**
   * The per-user frequency cap this delivery counts under (shared/frequency-cap.ts): the worker leaves out
   * of the request every openId that already had `max` capped notifications in the last `perMs`.
   * Absent: not capped, and not counted.
   */
  frequencyCap: z.object({ max: z.number().int().min(1), perMs: z.number().int().min(1) }).optional(),
});

export type DeliveryJobData = z.infer<typeof DeliveryJobSchema>;

export const DEAD_LETTER_REASONS = ['expired', 'rejected', 'exhausted', 'invalid'] as const;
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
