import type { Job } from 'bullmq';
import type { RedisConnection } from '../shared/redis.js';
import { CampaignCounters } from '../shared/campaign-counters.js';
import type { Config } from '../shared/config.js';
import type { DeliveryJobData } from '../shared/job-data.js';
import type { ProcessorHooks } from './processor.js';

/**
 * How long past its HTTP timeouts a registered call counts as possibly running: covers signing, the hooks
 * around the call and clock drift between this host and Redis. A cancel waits at most this long for a
 * worker that died mid-call.
 */
const HOLD_MARGIN_MS = 5_000;

/** One registration per run of a job: the lock token is unique to this worker's hold on it. */
function tokenOf(job: Job): string {
  return `${job.id ?? '?'}#${job.attemptsMade}#${job.token ?? ''}`;
}

/**
 * Campaign bookkeeping in the worker: a cancelled campaign's chunk is dropped at the last moment before
 * its call (atomically with registering the call as in flight, which a cancel waits for), and each chunk's
 * outcome moves its recipients between the campaign's counters exactly once. Jobs without a campaignId
 * cost nothing here.
 */
export function campaignHooks(redis: RedisConnection, config: Readonly<Config>): ProcessorHooks {
  const counters = new CampaignCounters(redis, config.prefix, config.dedupTtlMs);
  // Two timeouts: a request refused for its timestamp is signed again and sent once more within one admission.
  const holdMs = 2 * config.timeoutMs + HOLD_MARGIN_MS;
  return {
    async beforeSend(data: DeliveryJobData, job: Job) {
      if (data.campaignId === undefined) return undefined;
      const admitted = await counters.admit(data.campaignId, data.deliveryKey, tokenOf(job), holdMs);
      return admitted ? undefined : `campaign ${data.campaignId} is cancelled`;
    },
    async afterSend(data: DeliveryJobData, job: Job) {
      if (data.campaignId !== undefined) await counters.release(data.campaignId, tokenOf(job));
    },
    async onDelivered(data: DeliveryJobData) {
      if (data.campaignId !== undefined) await counters.transition(data.campaignId, [data.deliveryKey], 'pf', 's');
    },
    async onDeadLettered(data: DeliveryJobData | undefined) {
      // A redriven chunk that fails again is already counted as failed.
      if (data?.campaignId !== undefined) await counters.transition(data.campaignId, [data.deliveryKey], 'p', 'f');
    },
  };
}
