import type { Job, Queue, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryOutcome, ProcessorHooks } from './processor-hooks.js';
import { RetryableDeliveryError } from './retryable-error.js';
import { RedisTimeoutError } from '../shared/errors.js';
import { raceTimeout } from '../shared/timeout.js';
import type { Logger } from '../shared/logger.js';
import { guarded } from './guarded.js';

/** Job states reported per queue; the ones BullMQ 6 keeps counts for. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'] as const;

/** A scrape must not hang on a Redis outage; Prometheus gives up after 10 s by default. */
const QUEUE_COUNT_TIMEOUT_MS = 2_000;

export interface WorkerMetrics {
  /** One registry per worker, so two workers in one process (tests, the demo) do not share counters. */
  readonly registry: Registry;
  /** Compose these with any other hooks (compose-hooks.ts). */
  readonly hooks: ProcessorHooks;
  /** Count job outcomes and BullMQ limiter waits on this worker; a listener that throws is logged to `log`. */
  observeWorker(worker: Worker, log: Logger): void;
}

export interface WorkerMetricsOptions {
  /** Queues whose job counts are read at scrape time: deliveries and dead-letters. */
  queues: Queue[];
  /** Called when reading job counts fails (the gauges are then left empty rather than stale). */
  onCountError?: (error: unknown) => void;
  /** Platform clock minus local clock, ms, as the signing clock estimates it (SkewClock.offsetMs). */
  clockOffsetMs?: () => number;
  /** Whether the outage breaker holds the queue paused right now (OutageBreaker.state.open). */
  outageOpen?: () => boolean;
}

const seconds = (ms: number) => ms / 1_000;

export function createWorkerMetrics(options: WorkerMetricsOptions): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const deliveries = new Counter({
    name: 'neupush_deliveries_total',
    help: 'Delivery jobs finished by this worker, by outcome: delivered, duplicate-suppressed, dropped, capped, dead-lettered, failed',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const recipients = new Counter({
    name: 'neupush_recipients_delivered_total',
    help: 'Recipients named in sendNotify requests the platform accepted',
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'neupush_dead_letters_total',
    help: 'Deliveries put in the dead-letter queue, by reason: expired, rejected, exhausted, invalid',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const callDuration = new Histogram({
    name: 'neupush_sendnotify_duration_seconds',
    help: 'Duration of one Open API call, by endpoint (sendNotify, sendActivity) and classified outcome: delivered, retryable, rejected',
    labelNames: ['outcome', 'endpoint'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'neupush_lateness_seconds',
    help: 'Start of a sendNotify attempt minus the intended send time; attempt="first" is scheduling lateness, "retry" includes backoff',
    labelNames: ['attempt'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const capped = new Counter({
    name: 'neupush_capped_recipients_total',
    help: 'Recipients left out of a request by their frequency cap, counted once when their delivery settles',
    registers: [registry],
  });
  const retries = new Counter({
    name: 'neupush_retries_total',
    help: 'Retries scheduled after a retryable sendNotify answer',
    registers: [registry],
  });
  const jobErrors = new Counter({
    name: 'neupush_job_errors_total',
    help: 'Job attempts that ended in an unexpected error (not a classified sendNotify answer); BullMQ retries them',
    registers: [registry],
  });
  const rateLimitWaits = new Counter({
    name: 'neupush_rate_limit_waits_total',
    help: 'Times this worker paused fetching jobs because the global NEUPUSH_RATE_LIMIT was reached',
    registers: [registry],
  });
  const rateLimitWaitSeconds = new Counter({
    name: 'neupush_rate_limit_wait_seconds_total',
    help: 'Time this worker paused fetching jobs for the global rate limit',
    registers: [registry],
  });
  new Gauge({
    name: 'neupush_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time (every worker reports the same figures)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const all = await raceTimeout(
          Promise.all(options.queues.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...QUEUE_STATES) }))),
          QUEUE_COUNT_TIMEOUT_MS,
          () => {
            throw new RedisTimeoutError(`no answer from Redis within ${QUEUE_COUNT_TIMEOUT_MS} ms`, QUEUE_COUNT_TIMEOUT_MS);
          },
        );
        for (const { queue, counts } of all) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
        }
      } catch (error) {
        options.onCountError?.(error);
      }
    },
  });

  new Gauge({
    name: 'neupush_clock_offset_seconds',
    help: "The platform's clock minus this host's, estimated from the Date header of sendNotify answers; beyond 30 s signing is corrected",
    registers: [registry],
    collect() {
      this.set(seconds(options.clockOffsetMs?.() ?? 0));
    },
  });
  new Gauge({
    name: 'neupush_sendnotify_outage',
    help: '1 while this worker holds the queue paused because sendNotify keeps failing (global backoff), else 0',
    registers: [registry],
    collect() {
      this.set(options.outageOpen?.() ? 1 : 0);
    },
  });

  const hooks: ProcessorHooks = {
    onCall(data, result, latenessMs, job) {
      const endpoint = data.kind === 'activity' ? 'sendActivity' : 'sendNotify';
      callDuration.observe({ outcome: result.outcome, endpoint }, seconds(result.durationMs));
      lateness.observe({ attempt: job.attemptsMade === 0 ? 'first' : 'retry' }, seconds(latenessMs));
      if (result.outcome === 'delivered') recipients.inc(result.recipients);
    },
    onDelivered(_data, _job, settled) {
      if (settled && settled.capped > 0) capped.inc(settled.capped);
    },
    onDeadLettered(_data, reason, _job, details) {
      deadLetters.inc({ reason });
      if (details?.capped) capped.inc(details.capped);
    },
    onRetry() {
      retries.inc();
    },
  };

  function observeWorker(worker: Worker, log: Logger): void {
    worker.on(
      'completed',
      guarded(log, 'completed: metrics', (_job: Job, result: DeliveryOutcome) => {
        deliveries.inc({ outcome: result?.status ?? 'unknown' });
      }),
    );
    worker.on(
      'failed',
      guarded(log, 'failed: metrics', (job: Job | undefined, error: Error) => {
        if (!(error instanceof RetryableDeliveryError)) jobErrors.inc();
        // BullMQ stamps finishedOn only when it gives up on a job; worker.ts's safety net dead-letters these
        // as `exhausted` and reports that through the hooks (onDeadLettered), like any other dead letter.
        if (job?.finishedOn) deliveries.inc({ outcome: 'failed' });
      }),
    );
    observeRateLimitWaits(worker, (ms) => {
      rateLimitWaits.inc();
      rateLimitWaitSeconds.inc(seconds(ms));
    });
  }

  return { registry, hooks, observeWorker };
}

/**
 * BullMQ 6 emits no event when its limiter pauses a worker. Every such pause goes through the worker's
 * protected `getRateLimitDelay(ms)` (called from `waitForRateLimit`, right before it sleeps), so wrap that
 * method on this instance. If a BullMQ upgrade renames it, the counter stays at 0 and the test
 * (worker-metrics.test.ts) says so.
 */
function observeRateLimitWaits(worker: Worker, onWait: (ms: number) => void): void {
  const target = worker as unknown as { getRateLimitDelay?: (ms: number) => number };
  const original = target.getRateLimitDelay;
  if (typeof original !== 'function') return;
  target.getRateLimitDelay = function (this: unknown, ms: number) {
    const delay = original.call(this, ms);
    onWait(delay);
    return delay;
  };
}
