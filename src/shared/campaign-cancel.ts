import type { RedisConnection } from './redis.js';
import { CampaignCounters } from './campaign-counters.js';
import { campaignKeys } from './campaign-keys.js';
import { LOCK_DURATION_MS, type Config } from './config.js';
import { NeupushError, type NeupushErrorOptions } from './errors.js';
import { assertId, IDS } from './ids.js';
import type { DeliveryQueue, WebhookQueue } from './queues.js';
import { enqueueWebhookEvent } from './webhook-jobs.js';
import { webhookEvent } from './webhook-events.js';
import { getCampaign, type CampaignStatus } from './campaign-status.js';

export interface CancelResult extends CampaignStatus {
  /** Recipients this call moved to cancelled (0 when the campaign was already cancelled or finished). */
  stopped: number;
}

export class CampaignNotFoundError extends NeupushError {
  constructor(id: string, options?: NeupushErrorOptions) {
    super(`no campaign with id ${id}`, 'ERR_CAMPAIGN_NOT_FOUND', options);
  }
}

/**
 * Worst case for a call in flight to end: its worker registered it with a hold of twice NEUPUSH_TIMEOUT_MS
 * (at most the lock duration) plus a margin, after which the in-flight set drops it by itself; this bound
 * only matters if that set cannot be read.
 */
const IN_FLIGHT_WAIT_MS = LOCK_DURATION_MS + 10_000;
const REMOVE_CONCURRENCY = 500;

/** Remove the queued jobs of chunks still pending, and count those as cancelled. */
async function removePending(redis: RedisConnection, deliveries: DeliveryQueue, counters: CampaignCounters, prefix: string, id: string): Promise<void> {
  const { chunks } = campaignKeys(prefix, id);
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(chunks, cursor, 'COUNT', 1_000);
    cursor = next;
    const pending: string[] = [];
    for (let i = 0; i < flat.length; i += 2) if ((flat[i + 1] as string).startsWith('p')) pending.push(flat[i] as string);
    for (let i = 0; i < pending.length; i += REMOVE_CONCURRENCY) {
      const slice = pending.slice(i, i + REMOVE_CONCURRENCY);
      // 0 = the job is locked by a worker: that worker's admission check sees the flag (or its call is
      // waited for below), so it is left to the worker.
      const codes = await Promise.all(slice.map((jobId) => deliveries.remove(jobId)));
      await counters.transition(id, slice.filter((_, k) => codes[k] === 1), 'p', 'c');
    }
  } while (cursor !== '0');
}

async function waitForCallsInFlight(counters: CampaignCounters, id: string): Promise<void> {
  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  while ((await counters.inFlight(id)) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Cancel: set the flag (workers check it atomically with registering a call, so none starts after this),
 * remove the jobs still queued, wait for calls already under way to end, then sweep again for jobs that a
 * worker put back for a retry meanwhile. When this resolves, nothing more of the campaign is sent.
 */
export async function cancelCampaign(
  ctx: { config: Readonly<Config>; redis: RedisConnection; deliveries: DeliveryQueue; webhooks?: WebhookQueue },
  id: string,
): Promise<CancelResult> {
  // Before any key: `X:chunks` would otherwise name campaign X's chunks hash.
  assertId(IDS.campaign, id);
  const { config, redis, deliveries } = ctx;
  const counters = new CampaignCounters(redis, config.prefix, config.dedupTtlMs);
  const flag = await counters.flagCancelled(id);
  if (flag.result === 'not-found') throw new CampaignNotFoundError(id);
  if (flag.result !== 'finished') {
    await removePending(redis, deliveries, counters, config.prefix, id);
    await waitForCallsInFlight(counters, id);
    await removePending(redis, deliveries, counters, config.prefix, id);
    const keys = campaignKeys(config.prefix, id);
    // Creation stops at its next batch; the record stays as long as a finished campaign's would.
    await redis
      .multi()
      .unlink(keys.seen)
      .pexpire(keys.meta, config.dedupTtlMs)
      .pexpire(keys.chunks, config.dedupTtlMs)
      .exec();
  }
  const status = await getCampaign(redis, config.prefix, id);
  if (!status) throw new CampaignNotFoundError(id);
  if (ctx.webhooks && (flag.result === 'flagged' || flag.result === 'already-cancelled')) {
    // Queued again by a repeated cancel, under the same webhook-id; if it cannot be queued this rejects,
    // and cancelling again is harmless.
    const { recipients, sent, failed, cancelled, pending } = status;
    const data = { campaignId: id, recipients, sent, failed, cancelled, pending };
    await enqueueWebhookEvent(ctx.webhooks, config, webhookEvent('campaign.cancelled', id, data, Date.now()));
  }
  return { ...status, stopped: status.cancelled - flag.cancelledBefore };
}
