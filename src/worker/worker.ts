import { Worker, type Job } from 'bullmq';
import { loadConfig, requireCredentials, LOCK_DURATION_MS, type Config } from '../shared/config.js';
import { closeWorkerWithin } from './close-within.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { DELIVERY_QUEUE } from '../shared/queue-names.js';
import { FINISHED_JOB_RETENTION, openDeadLetterQueue, openDeliveryQueue, openScheduleQueue, openWebhookDeadLetterQueue, openWebhookQueue } from '../shared/queues.js';
import { closeRedis, connectRedis } from '../shared/redis.js';
import { retryDelay } from './backoff.js';
import { SendNotifyClient } from '../neuxnet/client.js';
import { systemClock, type Clock } from '../neuxnet/clock.js';
import { SkewClock } from '../neuxnet/clock-skew.js';
import type { DeliveryJobData } from '../shared/job-data.js';
import { checkJobData } from './job-data-check.js';
import { guarded } from './guarded.js';
import { createProcessor } from './processor.js';
import type { DeliveryOutcome, ProcessorHooks } from './processor-hooks.js';
import { OutageBreaker } from './outage-breaker.js';
import { RetryableDeliveryError } from './retryable-error.js';
import { writeDeadLetter } from './dead-letter-writer.js';
import { composeHooks } from './compose-hooks.js';
import { campaignHooks } from './campaign-hooks.js';
import { startScheduleFanout } from './schedule-fanout.js';
import { checkEvictionPolicy } from './eviction-policy.js';
import { tryStartHealthServer } from './health-server.js';
import { createWorkerMetrics } from './metrics.js';
import { tracedProcessor } from './delivery-spans.js';
import { bullmqTelemetry, setupTelemetry } from '../shared/telemetry.js';
import { checkWebhookConfig, startWebhooks, type WebhookRuntime } from './webhooks.js';

export interface WorkerOptions {
  /**
   * Overrides of the environment configuration.
   * @defaultValue none: every setting from `env` (see Config for each variable and default)
   */
  config?: Partial<Config>;
  /**
   * Environment to read.
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the worker logs.
   * @defaultValue createLogger at `LOG_LEVEL`: JSON on stdout, pretty on a terminal
   */
  logger?: Logger;
  /**
   * Where signing timestamps come from.
   * @defaultValue a SkewClock, which learns the platform's clock from the Date header of its answers and
   * corrects the timestamp when the two are further apart than its `correctAboveMs`
   */
  clock?: Clock;
  /**
   * Local time for the processor's decisions: deadlines, expiry, lateness, the outage breaker. Tests pass
   * a fake one instead of waiting; it never stamps signatures (that is `clock`).
   * @defaultValue the system clock
   */
  localClock?: Clock;
  /**
   * Observers of each delivery (type ProcessorHooks); one that throws is logged with its name, never fatal.
   * @defaultValue none
   */
  hooks?: ProcessorHooks;
  /**
   * Start taking jobs at once.
   * @defaultValue `true`
   */
  autorun?: boolean;
}

export interface WorkerHandle {
  readonly config: Readonly<Config>;
  readonly worker: Worker<DeliveryJobData, DeliveryOutcome>;
  readonly logger: Logger;
  /** The signing clock; a SkewClock (offsetMs, correctionMs) unless WorkerOptions.clock replaced it. */
  readonly clock: Clock;
  /** The webhook sender, when NEUPUSH_WEBHOOK_URL is set. */
  readonly webhooks?: WebhookRuntime['sender'];
  /** Base URL of /metrics, /healthz and /readyz; absent when NEUPUSH_METRICS_PORT is 0 or the port was taken. */
  readonly metricsUrl?: string;
  /**
   * Stop taking jobs, let the ones in flight finish within NEUPUSH_SHUTDOWN_TIMEOUT_MS, then close every
   * connection. Jobs still running at the deadline are left to BullMQ's stalled-job recovery: another
   * worker takes them up, and duplicate suppression keeps what was already accepted from going out twice.
   */
  close(): Promise<void>;
}

/**
 * Stalled jobs are recovered this many times before BullMQ fails them; each stall is a crash during the
 * job, which a crash-looping deployment can repeat, so allow more than BullMQ's default of 1.
 */
const MAX_STALLED_COUNT = 10;

export async function startWorker(options: WorkerOptions = {}): Promise<WorkerHandle> {
  const config = loadConfig(options.env ?? process.env, options.config ?? {});
  const { appid, secret } = requireCredentials(config);
  checkWebhookConfig(config);
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const log = logger.child({ component: 'worker' });
  // Before any queue or worker is opened: they carry BullMQ's own telemetry when tracing is on.
  const telemetry = await setupTelemetry({ config });

  const redis = connectRedis(config, 'worker');
  const workerConnection = connectRedis(config, 'worker');
  // The processor's own short commands (claims, sent records, campaign counters, caps) on a connection of
  // their own, beside BullMQ's. Not auto-pipelined: ioredis 5.11's auto-pipelining crashed the process with
  // an uncaught "results[i] is not iterable" under the frequency-cap script (seen in CI), and breaks EVALSHA
  // on a Cluster (redis/ioredis#2109).
  const records = connectRedis(config, 'worker');
  for (const r of [redis, workerConnection, records]) r.on('error', (e) => log.debug({ err: e }, 'redis connection error'));
  try {
    await checkEvictionPolicy(redis, { allowEviction: config.allowEviction, logger: log });
  } catch (error) {
    for (const r of [redis, workerConnection, records]) r.disconnect();
    await telemetry?.shutdown();
    throw error;
  }
  const deadLetters = openDeadLetterQueue(config, redis);
  deadLetters.on('error', (e) => log.error({ err: e }, 'dead-letter queue error'));
  // Read at scrape time for the queue-depth gauges, and the handle on the queue's Redis-side limiter.
  const deliveries = openDeliveryQueue(config, redis);
  deliveries.on('error', (e) => log.debug({ err: e }, 'delivery queue error'));
  const schedulesForCounts = openScheduleQueue(config, redis);
  schedulesForCounts.on('error', (e) => log.debug({ err: e }, 'schedule queue error'));
  // With webhooks on, their two queues are counted too: a receiver that is down shows as webhook jobs piling up.
  const webhookQueuesForCounts =
    config.webhookUrls.length === 0 ? [] : [openWebhookQueue(config, redis), openWebhookDeadLetterQueue(config, redis)];
  for (const q of webhookQueuesForCounts) q.on('error', (e) => log.debug({ err: e, queue: q.name }, 'webhook queue error'));
  const clock = options.clock ?? new SkewClock({ logger: logger.child({ component: 'clock' }) });
  const localClock = options.localClock ?? systemClock;
  const breaker =
    config.outageThreshold > 0 ? new OutageBreaker({ threshold: config.outageThreshold, maxPauseMs: config.outageMaxPauseMs }) : undefined;
  const metrics =
    config.metricsPort === 0
      ? undefined
      : createWorkerMetrics({
          queues: [deliveries, deadLetters, schedulesForCounts, ...webhookQueuesForCounts],
          onCountError: (e) => log.warn({ err: e }, 'could not read queue counts for /metrics'),
          clockOffsetMs: () => (clock instanceof SkewClock ? clock.offsetMs : 0),
          outageOpen: () => breaker?.state.open ?? false,
        });
  const client = new SendNotifyClient({
    baseUrl: config.baseUrl,
    appid,
    secret,
    timeoutMs: config.timeoutMs,
    maxSockets: config.concurrency,
    defaultLanguage: config.defaultLanguage,
    clock,
  });
  const webhooks = startWebhooks({ config, redis, logger, clock: localClock, ...(metrics && { registry: metrics.registry }) });
  // First in the chain: a cancelled campaign's chunk is dropped before any other hook sees the call.
  const hooks = composeHooks(log, {
    campaign: campaignHooks(records, config),
    metrics: metrics?.hooks,
    webhooks: webhooks.hooks,
    caller: options.hooks,
  });
  const processor = createProcessor({
    config,
    client,
    deadLetters,
    redis: records,
    logger,
    hooks,
    clock: localClock,
    ...(breaker && {
      outage: {
        breaker,
        // The limiter key is the queue's, so every worker process on it pauses, not only this one.
        pauseQueue: (ms: number) => deliveries.rateLimit(ms),
      },
    }),
  });

  const worker = new Worker<DeliveryJobData, DeliveryOutcome>(DELIVERY_QUEUE, tracedProcessor(processor), {
    ...bullmqTelemetry(),
    connection: workerConnection,
    prefix: config.prefix,
    concurrency: config.concurrency,
    // BullMQ's limiter lives in Redis, so the rate holds across every worker process on this queue.
    limiter: { max: config.rateLimit, duration: 1_000 },
    lockDuration: LOCK_DURATION_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    ...FINISHED_JOB_RETENTION,
    autorun: options.autorun ?? true,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        err instanceof RetryableDeliveryError ? err.delayMs : retryDelay({ retryNumber: attemptsMade, baseMs: config.backoffMs }),
    },
  });

  /** Safety net: see the 'failed' listener below. */
  const deadLetterGivenUp = async (job: Job, error: Error) => {
    try {
      await writeDeadLetter(deadLetters, job, 'exhausted', { attempts: job.attemptsMade, lastError: error.message });
    } catch (e) {
      log.error({ err: e, jobId: job.id }, 'could not write dead letter');
      return;
    }
    const checked = checkJobData(job.data);
    // composeHooks has logged a hook that threw, with its name; the dead letter is written either way.
    const details = { attempts: job.attemptsMade, lastError: error.message };
    await Promise.resolve(hooks.onDeadLettered?.(checked.ok ? checked.data : undefined, 'exhausted', job, details)).catch(() => {});
  };

  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  // Safety net: a job that fails for good outside the processor's own decisions (an unexpected error on
  // every attempt, or stalled past the limit) still ends in the dead-letter queue, never silently.
  // BullMQ stamps finishedOn only when it gives up on a job, never when it schedules another attempt;
  // attemptsMade alone would miss jobs failed before their attempts ran out (stalled past the limit).
  worker.on(
    'failed',
    guarded(log, 'failed: dead-letter safety net', (job: Job | undefined, error: Error) => {
      if (job?.finishedOn) void deadLetterGivenUp(job, error);
    }),
  );

  metrics?.observeWorker(worker, log);
  const schedules = startScheduleFanout({ config, redis, logger });
  const health =
    metrics &&
    (await tryStartHealthServer({
      port: config.metricsPort,
      host: config.metricsHost,
      registry: metrics.registry,
      ready: {
        redis: async () => redis.status === 'ready' && (await redis.ping()) === 'PONG',
        worker: () => worker.isRunning(),
        schedules: () => schedules.worker.isRunning(),
      },
      logger: log,
    }));

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const timedOut = await closeWorkerWithin(worker, config.shutdownTimeoutMs, () =>
        log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'jobs still running at shutdown deadline; leaving them to stalled-job recovery'),
      );
      await schedules.close(timedOut);
      await webhooks.close(config.shutdownTimeoutMs);
      client.close();
      await Promise.allSettled([deadLetters.close(), deliveries.close(), schedulesForCounts.close(), ...webhookQueuesForCounts.map((q) => q.close()), health?.close()]);
      await Promise.allSettled([closeRedis(redis), closeRedis(workerConnection), closeRedis(records)]);
      await telemetry?.shutdown().catch((e: unknown) => log.warn({ err: e }, 'could not flush traces'));
      log.info('worker closed');
    })();
    return closing;
  };

  log.info({ queue: DELIVERY_QUEUE, prefix: config.prefix, concurrency: config.concurrency, rateLimit: config.rateLimit }, 'worker started');
  return { config, worker, logger, clock, close, ...(webhooks.sender && { webhooks: webhooks.sender }), ...(health && { metricsUrl: health.url }) };
}
