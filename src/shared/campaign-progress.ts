import type { RedisConnection } from './redis.js';
import { campaignKeys } from './campaign-keys.js';
import type { DeadLetterReason } from './job-data.js';
import type { DeadLetterQueue, DeliveryQueue } from './queues.js';
import type { CampaignStatus } from './campaign-status.js';
import { listDeadLetters } from './dead-letters.js';

/** What a campaign's counters cannot say on their own: who is waiting for a retry, why the failed failed. */
export interface CampaignProgress {
  /** Recipients in delivery jobs that failed at least once and wait for another attempt. */
  retrying: number;
  /** Dead-lettered recipients by reason (from the dead-letter queue; a redriven entry leaves it). */
  failedByReason: Partial<Record<DeadLetterReason, number>>;
}

const ENDED = new Set(['completed', 'completed_with_failures', 'cancelled']);
const DEAD_LETTER_SCAN_LIMIT = 1_000_000;

/**
 * Computed from what Redis already holds: the campaign's chunks hash names every delivery job and its
 * state; a pending one whose BullMQ hash counts a failed attempt (`atm`) is retrying. The dead-letter
 * queue is read only when the campaign has failures.
 */
export async function campaignProgress(
  redis: RedisConnection,
  queues: { deliveries: DeliveryQueue; deadLetters: DeadLetterQueue },
  prefix: string,
  status: CampaignStatus,
): Promise<CampaignProgress> {
  let retrying = 0;
  if (!ENDED.has(status.state)) {
    const pending = Object.entries(await redis.hgetall(campaignKeys(prefix, status.id).chunks)).filter(([, v]) => v.startsWith('p'));
    if (pending.length > 0) {
      const pipeline = redis.pipeline();
      for (const [jobId] of pending) pipeline.hget(queues.deliveries.toKey(jobId), 'atm');
      const attempts = (await pipeline.exec()) ?? [];
      pending.forEach(([, v], i) => {
        if (Number(attempts[i]?.[1] ?? 0) > 0) retrying += Number.parseInt(v.slice(1), 10);
      });
    }
  }
  const failedByReason: Partial<Record<DeadLetterReason, number>> = {};
  if (status.failed > 0) {
    for (const e of await listDeadLetters(queues.deadLetters, { campaignId: status.id, limit: DEAD_LETTER_SCAN_LIMIT })) {
      failedByReason[e.reason] = (failedByReason[e.reason] ?? 0) + (e.recipients ?? 0);
    }
  }
  return { retrying, failedByReason };
}
