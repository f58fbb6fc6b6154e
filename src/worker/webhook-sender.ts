import { Worker, type Job } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { RedisConnection } from '../shared/redis.js';
import { LOCK_DURATION_MS } from '../shared/config.js';
import { WEBHOOK_QUEUE } from '../shared/queue-names.js';
import { openWebhookDeadLetterQueue, type WebhookDeadLetterQueue } from '../shared/queues.js';
import { closeWorkerWithin } from './close-within.js';
import { WEBHOOK_EVENT_TYPES } from '../shared/webhook-events.js';
import { webhookTarget, type WebhookDeadLetterData, type WebhookDeadLetterReason, type WebhookJobData } from '../shared/webhook-jobs.js';
import { retryDelay } from './backoff.js';
import { guarded } from './guarded.js';
import { lazyJobLogger } from './job-logger.js';
import { RetryableDeliveryError } from './retryable-error.js';
import { decideWebhook } from './webhook-decision.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import { WebhookPoster } from './webhook-post.js';
import { requireWebhookKey, signWebhook } from './webhook-sign.js';

export type WebhookOutcomeResult = { status: 'delivered' } | { status: 'dead-lettered'; reason: WebhookDeadLetterReason };

export interface WebhookSender {
  readonly worker: Worker<WebhookJobData, WebhookOutcomeResult>;
  readonly deadLetters: WebhookDeadLetterQueue;
  close(): Promise<void>;
}

const TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);

/** Why the data is not a webhook job we can send, or undefined. Hand-written: it runs on every attempt. */
function invalidWhy(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return 'job data is not an object';
  const d = raw as Partial<WebhookJobData>;
  if (d.v !== 1) return 'v must be 1';
  if (typeof d.webhookId !== 'string' || !/^msg_[0-9a-f]{32}$/.test(d.webhookId)) return 'webhookId must be msg_ and 32 hex digits';
  if (typeof d.target !== 'string' || !/^[0-9a-f]{16}$/.test(d.target)) return 'target must be 16 hex digits';
  const e = d.event as Partial<WebhookJobData['event']> | undefined;
  if (!e || typeof e !== 'object' || !TYPES.has(String(e.type))) return 'event.type must be a known event type';
  if (typeof e.timestamp !== 'string' || e.data === null || typeof e.data !== 'object') return 'event needs a timestamp and data';
  return undefined;
}

/**
 * The webhook worker: its own BullMQ Worker on its own queue and connection, so a slow or dead receiver
 * holds only webhook jobs, never a delivery. Each attempt signs the stored event afresh and POSTs it;
 * the decision (webhook-decision.ts) says delivered, retry, or dead letter. Like deliveries, a job never
 * fails finally through this path: it is dead-lettered with the reason first.
 */
export function startWebhookSender(deps: {
  config: Readonly<Config>;
  redis: RedisConnection;
  connection: RedisConnection;
  logger: Logger;
  metrics: WebhookMetrics;
}): WebhookSender {
  const { config, redis, metrics } = deps;
  const key = requireWebhookKey(config);
  const urls = new Map(config.webhookUrls.map((url) => [webhookTarget(url), url]));
  const log = deps.logger.child({ component: 'webhooks' });
  const deadLetters = openWebhookDeadLetterQueue(config, redis);
  deadLetters.on('error', (e) => log.error({ err: e }, 'webhook dead-letter queue error'));
  const poster = new WebhookPoster({ timeoutMs: config.webhookTimeoutMs, maxSockets: config.concurrency });

  async function deadLetter(
    job: Job,
    reason: WebhookDeadLetterReason,
    details: { attempts: number; lastError: string; lastHttpStatus?: number },
  ): Promise<WebhookOutcomeResult> {
    const entry: WebhookDeadLetterData = { v: 1, reason, ...details, jobId: job.id as string, webhook: job.data as unknown, failedAt: Date.now() };
    // Under the job's own id: written twice (a stalled job run again), it is one entry.
    await deadLetters.add(reason, entry, { jobId: job.id as string, removeOnComplete: false, removeOnFail: false });
    metrics.count('dead-lettered');
    lazyJobLogger(log, job)().warn({ reason, ...details }, 'webhook dead-lettered');
    return { status: 'dead-lettered', reason };
  }

  async function process(job: Job<WebhookJobData>): Promise<WebhookOutcomeResult> {
    const why = invalidWhy(job.data);
    if (why !== undefined) return deadLetter(job, 'invalid', { attempts: 0, lastError: why });
    const data = job.data;
    const url = urls.get(data.target);
    if (url === undefined) {
      return deadLetter(job, 'unconfigured', { attempts: job.attemptsMade, lastError: 'its URL is not in NEUPUSH_WEBHOOK_URL any more' });
    }
    const body = JSON.stringify(data.event);
    const headers = signWebhook(key, data.webhookId, Math.floor(Date.now() / 1000), body);
    const started = performance.now();
    const answer = await poster.post(url, body, headers);
    metrics.observeDuration((performance.now() - started) / 1_000);
    const attemptsMade = job.attemptsMade + 1;
    const decision = decideWebhook({
      answer,
      now: Date.now(),
      attemptsMade,
      attempts: job.opts.attempts ?? config.webhookAttempts,
      baseMs: config.backoffMs,
      random: Math.random(),
    });
    const jobLog = lazyJobLogger(log, job);
    switch (decision.kind) {
      case 'delivered':
        metrics.count('delivered');
        jobLog.info({ type: data.event.type, host: new URL(url).host }, 'webhook delivered');
        return { status: 'delivered' };
      case 'retry':
        metrics.count('retried');
        jobLog().info({ delayMs: decision.delayMs, lastError: decision.lastError }, 'webhook will retry');
        throw new RetryableDeliveryError(decision.lastError, decision.delayMs, { outcome: 'retryable', msg: decision.lastError });
      case 'dead-letter':
        return deadLetter(job, decision.reason, {
          attempts: attemptsMade,
          lastError: decision.lastError,
          ...(decision.lastHttpStatus !== undefined && { lastHttpStatus: decision.lastHttpStatus }),
        });
    }
  }

  const worker = new Worker<WebhookJobData, WebhookOutcomeResult>(WEBHOOK_QUEUE, process, {
    connection: deps.connection,
    prefix: config.prefix,
    concurrency: config.concurrency,
    lockDuration: LOCK_DURATION_MS,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        err instanceof RetryableDeliveryError ? err.delayMs : retryDelay({ retryNumber: attemptsMade, baseMs: config.backoffMs }),
    },
  });
  worker.on('error', (error) => log.error({ err: error }, 'webhook worker error'));
  // Safety net, as for deliveries: a job failed for good outside the decisions above still ends in the
  // dead letters (an unexpected error on every attempt, or stalled past the limit).
  worker.on(
    'failed',
    guarded(log, 'failed: webhook dead-letter safety net', (job: Job | undefined, error: Error) => {
      if (!job?.finishedOn) return;
      deadLetter(job, 'exhausted', { attempts: job.attemptsMade, lastError: error.message }).catch((e: unknown) =>
        log.error({ err: e, jobId: job.id }, 'could not write webhook dead letter'),
      );
    }),
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await closeWorkerWithin(worker, config.shutdownTimeoutMs);
      poster.close();
      await deadLetters.close().catch(() => {});
    })();
    return closing;
  };
  return { worker, deadLetters, close };
}
