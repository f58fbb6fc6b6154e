import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import type { Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { Producer } from '../../src/producer/producer.js';
import type { SendResult } from '../../src/producer/notification-send.js';
import type { DeadLetterEntry } from '../../src/shared/dead-letters.js';
import { startWorker, type WorkerHandle, type WorkerOptions } from '../../src/worker/worker.js';
import type { DeliveryOutcome } from '../../src/worker/processor-hooks.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/sandbox.js';
import { createLogCapture, type LogCapture } from './log-capture.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix, waitUntil } from './isolation.js';

export interface PipelineOptions {
  /** Sandbox options besides the credentials, which are random per pipeline. */
  sandbox?: Omit<SandboxOptions, 'appid' | 'secret'>;
  /** Config overrides for the producer and every worker, on top of the test defaults below. */
  config?: Partial<Config>;
  /** Start one worker at once. Default true; false to queue first (past-deadline tests). */
  worker?: boolean;
  /** Log level of the captured logs. Default 'debug', so secret checks see as much as a verbose run. */
  logLevel?: Config['logLevel'];
}

export interface Pipeline {
  readonly prefix: string;
  readonly appid: string;
  readonly secret: string;
  /** The overrides every producer and worker of this pipeline runs with. */
  readonly config: Partial<Config>;
  readonly sandbox: Sandbox;
  readonly producer: Producer;
  /** Every line any worker of this pipeline logged, as JSON. */
  readonly logs: LogCapture;
  /** A plain client for inspecting keys; closed by `close()`. */
  readonly redis: Redis;
  readonly workers: WorkerHandle[];
  /** Start another worker on the same queue (options.config on top of the pipeline's). */
  startWorker(options?: Omit<WorkerOptions, 'logger'>): Promise<WorkerHandle>;
  /** Outcome of each delivery job completed by any worker this pipeline started, by job id. */
  readonly outcomes: ReadonlyMap<string, DeliveryOutcome>;
  /** Resolves with the outcomes of these jobs once every one has completed. */
  waitForJobs(jobIds: readonly string[], timeoutMs?: number): Promise<DeliveryOutcome[]>;
  /** Resolves with the dead-letter entries once there are at least `count`. */
  waitForDeadLetters(count: number, timeoutMs?: number): Promise<DeadLetterEntry[]>;
  /** Closes workers, producer and sandbox, then deletes every key under the prefix. Runs once. */
  close(): Promise<void>;
}

/** The delivery job ids `send` created: `${id}.0` ... `${id}.${jobs - 1}`. */
export function jobIdsOf(result: Pick<SendResult, 'id' | 'jobs'>): string[] {
  return Array.from({ length: result.jobs }, (_, i) => `${result.id}.${i}`);
}

/**
 * One test's whole pipeline on real Redis and real HTTP: a sandbox with random credentials, a Producer and
 * (by default) a worker, all under a fresh prefix, with small delays so retries take milliseconds.
 */
export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const prefix = testPrefix();
  const appid = `app-${randomBytes(6).toString('hex')}`;
  const secret = `secret-${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({ ...options.sandbox, appid, secret });
  const config: Partial<Config> = {
    prefix,
    redisUrl: redisUrl(),
    baseUrl: sandbox.url,
    appid,
    secret,
    backoffMs: 50,
    rateLimit: 10_000,
    concurrency: 20,
    timeoutMs: 5_000,
    shutdownTimeoutMs: 10_000,
    // Off: tests run many workers side by side, and a fixed port would collide.
    metricsPort: 0,
    ...options.config,
  };
  const logs = createLogCapture();
  const logger = createLogger({ level: options.logLevel ?? 'debug', destination: logs });
  const redis = new Redis(redisUrl());
  // The producer never needs the secret; give it none, as an application would.
  const { secret: _secret, ...producerConfig } = config;
  const producer = await Producer.create({ config: producerConfig, env: {} });

  const workers: WorkerHandle[] = [];
  const outcomes = new Map<string, DeliveryOutcome>();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const addWorker = async (workerOptions: Omit<WorkerOptions, 'logger'> = {}): Promise<WorkerHandle> => {
    const handle = await startWorker({
      env: {},
      ...workerOptions,
      config: { ...config, ...workerOptions.config },
      logger,
    });
    handle.worker.on('completed', (job: Job<DeliveryJobData, DeliveryOutcome>, outcome: DeliveryOutcome) => {
      if (job.id !== undefined) outcomes.set(job.id, outcome);
      notify();
    });
    workers.push(handle);
    return handle;
  };

  const waitForJobs = (jobIds: readonly string[], timeoutMs = 10_000): Promise<DeliveryOutcome[]> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!jobIds.every((id) => outcomes.has(id))) return;
        done();
        resolve(jobIds.map((id) => outcomes.get(id) as DeliveryOutcome));
      };
      const timer = setTimeout(() => {
        done();
        const missing = jobIds.filter((id) => !outcomes.has(id));
        reject(new Error(`waitForJobs: ${missing.length} of ${jobIds.length} jobs not completed after ${timeoutMs} ms (first: ${missing[0]})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  const waitForDeadLetters = async (count: number, timeoutMs = 10_000): Promise<DeadLetterEntry[]> => {
    let entries: DeadLetterEntry[] = [];
    await waitUntil(
      async () => {
        entries = await producer.listDeadLetters();
        return entries.length >= count;
      },
      { timeoutMs, intervalMs: 25, message: `at least ${count} dead letter(s)` },
    );
    return entries;
  };

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([producer.close(), sandbox.close()]);
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    })();
    return closing;
  };

  const pipeline: Pipeline = {
    prefix,
    appid,
    secret,
    config,
    sandbox,
    producer,
    logs,
    redis,
    workers,
    startWorker: addWorker,
    outcomes,
    waitForJobs,
    waitForDeadLetters,
    close,
  };
  try {
    if (options.worker ?? true) await addWorker();
  } catch (error) {
    await close();
    throw error;
  }
  return pipeline;
}
