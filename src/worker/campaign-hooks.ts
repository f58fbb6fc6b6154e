import type { Job } from 'bullmq';
import type { RedisConnection } from '../shared/redis.js';
import { CampaignCounters } from '../shared/campaign-counters.js';
import type { Config } from '../shared/config.js';
import type { DeadLetterReason, DeliveryJobData } from '../shared/job-data.js';
import { ID_PATTERN } from '../shared/campaign-keys.js';
import type { DeadLetteredDetails, ProcessorHooks, SettledDetails } from './processor-hooks.js';
import { callWindowMs } from './call-window.js';

/** One registration per run of a job: the lock token is unique to this worker's hold on it. */
function tokenOf(job: Job): string {
  return `${job.id ?? '?'}#${job.attemptsMade}#${job.token ?? ''}`;
}

/**
 * The campaign and delivery key of a job whose data failed the schema (`invalid`), read from what is
 * there, so its recipients are counted as failed instead of staying pending forever. A wrong key moves
 * nothing: the transition only touches a chunk the campaign recorded as pending.
 */
function campaignRefOf(job: Job): { campaignId: string; deliveryKey: string } | undefined {
  const raw: unknown = job.data;
  if (raw === null || typeof raw !== 'object') return undefined;
  const { campaignId, deliveryKey } = raw as { campaignId?: unknown; deliveryKey?: unknown };
  if (typeof campaignId !== 'string' || !ID_PATTERN.test(campaignId)) return undefined;
  const key = typeof deliveryKey === 'string' ? deliveryKey : job.id;
  return key === undefined ? undefined : { campaignId, deliveryKey: key };
}

/**
 * Campaign bookkeeping in the worker: a cancelled campaign's chunk is dropped at the last moment before
 * its call (atomically with registering the call as in flight, which a cancel waits for), and each chunk's
 * outcome moves its recipients between the campaign's counters exactly once. Jobs without a campaignId
 * cost nothing here.
 */
export function campaignHooks(redis: RedisConnection, config: Readonly<Config>): ProcessorHooks {
  const counters = new CampaignCounters(redis, config.prefix, config.dedupTtlMs);
  // One admission covers the call and its one re-signed retry, as the delivery claim does.
  const holdMs = callWindowMs(config.timeoutMs);
  // Not async: a job of no campaign (most of them) answers at once, without a promise to await.
  return {
    beforeSend(data: DeliveryJobData, job: Job) {
      const campaignId = data.campaignId;
      if (campaignId === undefined) return undefined;
      return counters
        .admit(campaignId, data.deliveryKey, tokenOf(job), holdMs)
        .then((admitted) => (admitted ? undefined : `campaign ${campaignId} is cancelled`));
    },
    afterSend(data: DeliveryJobData, job: Job) {
      if (data.campaignId !== undefined) return counters.release(data.campaignId, tokenOf(job));
    },
    onDelivered(data: DeliveryJobData, job: Job, settled?: SettledDetails) {
      if (data.campaignId === undefined) return;
      // processedOn: when this (the delivering) attempt started, as the lateness metric measures it.
      const lateness = job.processedOn === undefined ? undefined : Math.max(0, job.processedOn - data.sendAt);
      // The frequency cap's count goes with the chunk's one move, so a retried or repeated job counts it once.
      return counters.transition(data.campaignId, [data.deliveryKey], 'pf', 's', lateness, settled?.capped).then(() => undefined);
    },
    async onDeadLettered(data: DeliveryJobData | undefined, _reason: DeadLetterReason, job: Job, details?: DeadLetteredDetails) {
      // A redriven chunk that fails again is already counted as failed.
      const ref = data ?? campaignRefOf(job);
      if (ref?.campaignId !== undefined) await counters.transition(ref.campaignId, [ref.deliveryKey], 'p', 'f', undefined, details?.capped);
    },
  };
}
