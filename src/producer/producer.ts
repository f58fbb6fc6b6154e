import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../shared/config.js';
import { chunkNotification } from '../shared/chunk.js';
import { NotificationSchema, type NotificationInput } from '../shared/notification.js';
import type { DeliveryJobData } from '../shared/job-data.js';
import { JOB_NAME, PRIORITY, keyOf } from '../shared/queue-names.js';
import {
  addInBatches,
  deliveryJobOptions,
  openDeadLetterQueue,
  openDeliveryQueue,
  type DeadLetterQueue,
  type DeliveryQueue,
} from '../shared/queues.js';
import { closeRedis, createRedis, waitForRedis } from '../shared/redis.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { resolveTiming, type SendOptions } from './send-options.js';
import {
  listDeadLetters,
  purgeDeadLetters,
  redriveDeadLetters,
  type DeadLetterEntry,
  type RedriveResult,
} from './dead-letters.js';

export interface SendResult {
  /** The notification's id; every delivery job's id starts with it. */
  id: string;
  /** Delivery jobs queued: one per request of at most NEUPUSH_CHUNK_SIZE openIds. */
  jobs: number;
}

export interface ProducerOptions {
  /** Overrides of the environment configuration (loadConfig()). */
  config?: Partial<Config>;
  /** Environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * What application code holds: queues notifications and manages the dead-letter queue. It never needs
 * the app secret. Create with `await Producer.create()`, and `close()` when done.
 */
export class Producer {
  readonly config: Readonly<Config>;
  readonly redis: Redis;
  readonly deliveries: DeliveryQueue;
  readonly deadLetters: DeadLetterQueue;
  #closing: Promise<void> | undefined;

  private constructor(config: Readonly<Config>, redis: Redis) {
    this.config = config;
    this.redis = redis;
    this.deliveries = openDeliveryQueue(config, redis);
    this.deadLetters = openDeadLetterQueue(config, redis);
    // An unhandled 'error' event would crash the host application; connection errors surface on calls.
    this.deliveries.on('error', () => {});
    this.deadLetters.on('error', () => {});
  }

  static async create(options: ProducerOptions = {}): Promise<Producer> {
    const config = loadConfig(options.env ?? process.env, options.config ?? {});
    const redis = createRedis(config.redisUrl, 'producer');
    redis.on('error', () => {});
    try {
      await waitForRedis(redis);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return new Producer(config, redis);
  }

  /**
   * Queue one notification: validated here, before anything is queued; an openIds audience larger than
   * NEUPUSH_CHUNK_SIZE becomes several delivery jobs with deterministic ids `${id}.${chunk}`.
   */
  async send(notification: NotificationInput, options: SendOptions = {}): Promise<SendResult> {
    const parsed = parseOrThrow(NotificationSchema, notification, 'notification');
    const now = Date.now();
    const timing = resolveTiming(options, now, this.config.maxLatenessMs);
    const idemKey = timing.idempotencyKey === undefined ? undefined : this.#idempotencyRecordKey(timing.idempotencyKey);
    if (idemKey) {
      const existing = await this.redis.get(idemKey);
      if (existing) return JSON.parse(existing) as SendResult;
    }
    // With a key, the id is derived from it, so a concurrent repeat writes the same job ids and BullMQ keeps one.
    const id = idemKey ? `k-${idemKey.slice(-32)}` : `n-${randomUUID()}`;
    const chunks = chunkNotification(parsed, this.config.chunkSize);
    const jobs = chunks.map((chunk, index) => {
      const jobId = `${id}.${index}`;
      const data: DeliveryJobData = {
        v: 1,
        notificationId: id,
        deliveryKey: jobId,
        notification: chunk,
        sendAt: timing.sendAt,
        deadline: timing.deadline,
        ...(chunks.length > 1 && { chunk: { index, count: chunks.length } }),
      };
      return {
        name: JOB_NAME.notification,
        data,
        opts: deliveryJobOptions(this.config, { jobId, delay: timing.sendAt - now, priority: PRIORITY.oneOff }),
      };
    });
    await addInBatches(this.deliveries, jobs);
    const result: SendResult = { id, jobs: jobs.length };
    if (idemKey) await this.redis.set(idemKey, JSON.stringify(result), 'PX', this.config.dedupTtlMs, 'NX');
    return result;
  }

  listDeadLetters(options: { limit?: number; offset?: number } = {}): Promise<DeadLetterEntry[]> {
    return listDeadLetters(this.deadLetters, options);
  }

  /** Put dead letters back with fresh attempts and a fresh deadline. `'all'` or a list of dead-letter ids. */
  redriveDeadLetters(ids: readonly string[] | 'all'): Promise<RedriveResult> {
    return redriveDeadLetters(this.deadLetters, this.deliveries, this.config, ids);
  }

  /** Delete every dead letter; resolves with how many there were. */
  purgeDeadLetters(): Promise<number> {
    return purgeDeadLetters(this.deadLetters);
  }

  /** Close queues and the connection. Runs once; every step runs even if one fails. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([this.deliveries.close(), this.deadLetters.close()]);
      await closeRedis(this.redis);
    })();
    return this.#closing;
  }

  #idempotencyRecordKey(key: string): string {
    // Hashed: the caller's key may be long or hold personal data; Redis only sees its digest.
    return keyOf(this.config.prefix, 'idem', createHash('sha256').update(key).digest('hex').slice(0, 40));
  }
}
