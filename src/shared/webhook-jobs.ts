import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { Config } from './config.js';
import { BACKOFF_TYPE } from './queue-names.js';
import { FINISHED_JOB_RETENTION, type WebhookQueue } from './queues.js';
import type { IdentifiedEvent, WebhookEvent } from './webhook-events.js';

/**
 * One webhook job: one event for one receiver. Holds the event, never the URL (it may carry a token) nor
 * the secret or a signature: the worker finds the URL by `target` in its own configuration and signs at
 * the moment it sends, as it does for sendNotify.
 */
export interface WebhookJobData {
  v: 1;
  /** The `webhook-id` header: the same on every retry and redrive of this event. */
  webhookId: string;
  /** Which configured URL: see webhookTarget. */
  target: string;
  event: WebhookEvent;
  redrives?: number;
}

export const WEBHOOK_DEAD_LETTER_REASONS = ['rejected', 'exhausted', 'unconfigured', 'invalid'] as const;
export type WebhookDeadLetterReason = (typeof WEBHOOK_DEAD_LETTER_REASONS)[number];

export interface WebhookDeadLetterData {
  v: 1;
  reason: WebhookDeadLetterReason;
  attempts: number;
  lastHttpStatus?: number;
  lastError: string;
  /** The webhook job this entry came from. */
  jobId: string;
  /** Its data as it was; for `invalid`, whatever was there. */
  webhook: WebhookJobData | unknown;
  failedAt: number;
}

/** A configured URL's name in job data and logs: a digest, so a token in the URL never reaches Redis. */
export function webhookTarget(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** The job id of one event for one receiver; a second add of the same event is ignored while the first is kept. */
export function webhookJobId(webhookId: string, target: string, redrives = 0): string {
  return redrives === 0 ? `${webhookId}.${target}` : `${webhookId}.${target}.r${redrives}`;
}

export function webhookJobOptions(config: Readonly<Config>, jobId: string): JobsOptions {
  return {
    jobId,
    attempts: config.webhookAttempts,
    // The worker's strategy computes the delay (exponential with jitter, Retry-After as a floor).
    backoff: { type: BACKOFF_TYPE, delay: config.backoffMs },
    ...FINISHED_JOB_RETENTION,
  };
}

/**
 * Queue one job per configured URL for this event, when its type is wanted; resolves with the number of
 * jobs queued. Only Redis is awaited, never a receiver.
 */
export async function enqueueWebhookEvent(queue: WebhookQueue, config: Readonly<Config>, identified: IdentifiedEvent): Promise<number> {
  if (config.webhookUrls.length === 0 || !config.webhookEvents.includes(identified.event.type)) return 0;
  const jobs = config.webhookUrls.map((url) => {
    const target = webhookTarget(url);
    const data: WebhookJobData = { v: 1, webhookId: identified.id, target, event: identified.event };
    return { name: identified.event.type, data, opts: webhookJobOptions(config, webhookJobId(identified.id, target)) };
  });
  await queue.addBulk(jobs);
  return jobs.length;
}
