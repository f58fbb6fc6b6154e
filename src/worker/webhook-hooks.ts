import type { Job } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { RedisConnection } from '../shared/redis.js';
import type { DeadLetterReason, DeliveryJobData } from '../shared/job-data.js';
import { campaignKeys } from '../shared/campaign-keys.js';
import { webhookEvent, type CampaignEventData, type DeliveryEventData, type IdentifiedEvent } from '../shared/webhook-events.js';
import { systemClock, type Clock } from '../neuxnet/clock.js';
import type { DeadLetteredDetails, ProcessorHooks } from './processor-hooks.js';
import type { WebhookEmitter } from './webhook-emitter.js';

/**
 * What a delivery is, read from its job data: activity deliveries (sendActivity, `kind: 'activity'`) carry
 * their card's `activityId` and `status` (0 removes the card). This is the one place that knows the job-data shape.
 */
export function deliveryFacts(data: DeliveryJobData): {
  kind: 'notification' | 'activity';
  id: string;
  openIds: readonly string[];
  status?: number;
} {
  if (data.kind === 'activity') {
    const card = data.activity;
    return { kind: 'activity', id: card.activityId, openIds: card.openIds, status: card.status };
  }
  return { kind: 'notification', id: data.notificationId, openIds: data.notification.openIds ?? [] };
}

/** Build `delivery.*` data: counts and ids, openIds only when configured, never content or phone numbers. */
export function deliveryEventData(
  config: Pick<Config, 'webhookIncludeOpenIds'>,
  data: DeliveryJobData,
  attempts: number,
  latenessMs?: number,
): DeliveryEventData {
  const facts = deliveryFacts(data);
  return {
    kind: facts.kind,
    notificationId: facts.id,
    ...(data.campaignId !== undefined && { campaignId: data.campaignId }),
    deliveryKey: data.deliveryKey,
    openIdCount: facts.openIds.length,
    ...(config.webhookIncludeOpenIds && { openIds: [...facts.openIds] }),
    attempts,
    sendAt: new Date(data.sendAt).toISOString(),
    ...(latenessMs !== undefined && { latenessMs }),
  };
}

/** `activity.removed`, for a delivered activity send with status 0. */
export function activityRemovedEvent(config: Pick<Config, 'webhookIncludeOpenIds'>, data: DeliveryJobData, attempts: number, at: number): IdentifiedEvent | undefined {
  const facts = deliveryFacts(data);
  if (facts.kind !== 'activity' || facts.status !== 0) return undefined;
  return webhookEvent(
    'activity.removed',
    data.deliveryKey,
    {
      activityId: facts.id,
      ...(data.campaignId !== undefined && { campaignId: data.campaignId }),
      deliveryKey: data.deliveryKey,
      openIdCount: facts.openIds.length,
      ...(config.webhookIncludeOpenIds && { openIds: [...facts.openIds] }),
      attempts,
    },
    at,
  );
}

/** The campaign's counts when it has finished without a cancel (a cancel reports itself: campaign.cancelled). */
async function completedCampaign(redis: RedisConnection, prefix: string, campaignId: string, at: number): Promise<IdentifiedEvent | undefined> {
  const [completedAt, cancelledAt, ...counts] = await redis.hmget(campaignKeys(prefix, campaignId).meta, 'completedAt', 'cancelledAt', 'total', 'sent', 'failed', 'cancelled', 'capped');
  if (!completedAt || cancelledAt) return undefined;
  const [recipients, sent, failed, cancelled, capped] = counts.map((v) => Number(v ?? 0)) as [number, number, number, number, number];
  const data: CampaignEventData = {
    campaignId,
    recipients,
    sent,
    failed,
    cancelled,
    pending: recipients - sent - failed - cancelled - capped,
    ...(capped > 0 && { capped }),
  };
  // One id per campaign: every worker that sees it finished queues the same job, which BullMQ keeps once.
  return webhookEvent('campaign.completed', campaignId, data, at);
}

/**
 * Delivery and campaign events from the processor's hooks. Runs after the campaign hooks (compose order),
 * so a chunk's counters have moved when its campaign is checked. Every method returns at once: the
 * emitter queues in the background.
 */
export function webhookHooks(deps: { config: Readonly<Config>; redis: RedisConnection; emitter: WebhookEmitter; clock?: Clock }): ProcessorHooks {
  const { config, redis, emitter } = deps;
  const clock = deps.clock ?? systemClock;
  // The lateness of a job's last call, for its delivery.succeeded; weak, so a job never seen again is freed.
  const lateness = new WeakMap<Job, number>();
  const checkCampaign = (campaignId: string | undefined) => {
    if (campaignId !== undefined) emitter.emit(completedCampaign(redis, config.prefix, campaignId, clock.now()));
  };
  return {
    onCall(_data, _result, latenessMs, job) {
      lateness.set(job, latenessMs);
    },
    onDelivered(data: DeliveryJobData, job: Job) {
      const called = lateness.get(job);
      // No call in this run: an earlier run was accepted (duplicate suppressed) and made the attempts.
      const attempts = called === undefined ? job.attemptsMade : job.attemptsMade + 1;
      const now = clock.now();
      emitter.emit(webhookEvent('delivery.succeeded', data.deliveryKey, deliveryEventData(config, data, attempts, called), now));
      const removed = activityRemovedEvent(config, data, attempts, now);
      if (removed) emitter.emit(removed);
      checkCampaign(data.campaignId);
    },
    onDeadLettered(data: DeliveryJobData | undefined, reason: DeadLetterReason, job: Job, details?: DeadLetteredDetails) {
      if (data === undefined) return;
      const attempts = details?.attempts ?? job.attemptsMade;
      // A redriven delivery can be dead-lettered again: each time is its own event.
      const subject = `${data.deliveryKey}#${data.redrives ?? 0}`;
      const event = { ...deliveryEventData(config, data, attempts, lateness.get(job)), reason, lastError: details?.lastError ?? reason };
      emitter.emit(webhookEvent('delivery.dead_lettered', subject, event, clock.now()));
      checkCampaign(data.campaignId);
    },
  };
}
