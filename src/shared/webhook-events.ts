import { createHash } from 'node:crypto';

/**
 * The events neupush tells applications about (README, "Webhooks"). A type is part of the contract:
 * receivers switch on it, so add new ones, never rename.
 */
export const WEBHOOK_EVENT_TYPES = [
  'delivery.succeeded',
  'delivery.dead_lettered',
  'campaign.completed',
  'campaign.cancelled',
  'activity.removed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What a delivery event says: ids, counts and times, never the content, a secret or a phone number. */
export interface DeliveryEventData {
  kind: 'notification' | 'activity';
  /** The id `send` returned (for an activity card, its activityId). */
  notificationId: string;
  campaignId?: string;
  deliveryKey: string;
  /** openIds in this request (0 for one addressed by phone number). */
  openIdCount: number;
  /** Only with NEUPUSH_WEBHOOK_INCLUDE_OPENIDS=true. */
  openIds?: string[];
  /** Requests made for this delivery, this one included (0 when none was made). */
  attempts: number;
  /** The intended send time. */
  sendAt: string;
  /** Start of the accepted attempt minus the intended send time, ms; absent when no call was made now. */
  latenessMs?: number;
}

export interface DeadLetteredEventData extends DeliveryEventData {
  reason: string;
  lastError: string;
}

export interface CampaignEventData {
  campaignId: string;
  /** Distinct recipients queued, as getCampaign counts them. */
  recipients: number;
  sent: number;
  failed: number;
  cancelled: number;
  /** Left out by the frequency cap; present when any were. */
  capped?: number;
  /** recipients - sent - failed - cancelled - capped: always 0 when completed; after a cancel, chunks still being stopped. */
  pending: number;
}

export interface ActivityRemovedEventData {
  activityId: string;
  campaignId?: string;
  deliveryKey: string;
  openIdCount: number;
  openIds?: string[];
  attempts: number;
}

export interface WebhookEventDataByType {
  'delivery.succeeded': DeliveryEventData;
  'delivery.dead_lettered': DeadLetteredEventData;
  'campaign.completed': CampaignEventData;
  'campaign.cancelled': CampaignEventData;
  'activity.removed': ActivityRemovedEventData;
}

/** The JSON body a receiver gets. */
export interface WebhookEvent<T extends WebhookEventType = WebhookEventType> {
  type: T;
  /** When it happened, ISO 8601. */
  timestamp: string;
  data: WebhookEventDataByType[T];
}

/** An event and its `webhook-id`. */
export interface IdentifiedEvent<T extends WebhookEventType = WebhookEventType> {
  id: string;
  event: WebhookEvent<T>;
}

/**
 * The `webhook-id` of an event: derived from what it is about (`subject`: a deliveryKey, a campaign id),
 * so the same happening reported twice (a stalled job run again, two workers seeing a campaign finish)
 * has the same id, and receivers that de-duplicate on it see it once.
 */
export function webhookId(type: WebhookEventType, subject: string): string {
  return `msg_${createHash('sha256').update(`${type}\n${subject}`).digest('hex').slice(0, 32)}`;
}

export function webhookEvent<T extends WebhookEventType>(type: T, subject: string, data: WebhookEventDataByType[T], at: number): IdentifiedEvent<T> {
  return { id: webhookId(type, subject), event: { type, timestamp: new Date(at).toISOString(), data } };
}
