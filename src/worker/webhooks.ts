import type { Registry } from 'prom-client';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { openWebhookQueue } from '../shared/queues.js';
import { closeRedis, connectRedis, type RedisConnection } from '../shared/redis.js';
import type { Clock } from '../neuxnet/clock.js';
import type { ProcessorHooks } from './processor-hooks.js';
import { createWebhookEmitter } from './webhook-emitter.js';
import { webhookHooks } from './webhook-hooks.js';
import { createWebhookMetrics, NO_WEBHOOK_METRICS } from './webhook-metrics.js';
import { startWebhookSender, type WebhookSender } from './webhook-sender.js';
import { requireWebhookKey } from './webhook-sign.js';

export interface WebhookRuntime {
  /** Compose with the worker's other hooks, after the campaign hooks. */
  readonly hooks?: ProcessorHooks;
  readonly sender?: WebhookSender;
  /** After the delivery worker has stopped: queue what its last jobs emitted, then stop sending. */
  close(timeoutMs: number): Promise<void>;
}

/** Refuses a worker that has receivers but no valid secret, before it connects anywhere. */
export function checkWebhookConfig(config: Readonly<Config>): void {
  if (config.webhookUrls.length > 0) requireWebhookKey(config);
}

/**
 * The webhooks side of a worker process: the hooks that queue events, and the sender that delivers them.
 * Without NEUPUSH_WEBHOOK_URL only the metrics exist (at 0), so dashboards and alerts find their series.
 */
export function startWebhooks(deps: {
  config: Readonly<Config>;
  redis: RedisConnection;
  logger: Logger;
  registry?: Registry;
  clock: Clock;
}): WebhookRuntime {
  const { config, redis, logger } = deps;
  const metrics = deps.registry ? createWebhookMetrics(deps.registry) : NO_WEBHOOK_METRICS;
  if (config.webhookUrls.length === 0) return { close: () => Promise.resolve() };
  const log = logger.child({ component: 'webhooks' });
  const queue = openWebhookQueue(config, redis);
  queue.on('error', (e) => log.debug({ err: e }, 'webhook queue error'));
  const emitter = createWebhookEmitter({ config, queue, logger: log, metrics });
  // Its own blocking connection: BullMQ's Worker holds one in BRPOPLPUSH-style waits.
  const connection = connectRedis(config, 'worker');
  connection.on('error', (e) => log.debug({ err: e }, 'redis connection error'));
  const sender = startWebhookSender({ config, redis, connection, logger, metrics });
  return {
    hooks: webhookHooks({ config, redis, emitter, clock: deps.clock }),
    sender,
    async close(timeoutMs) {
      await emitter.drain(timeoutMs);
      await sender.close();
      await queue.close().catch(() => {});
      await closeRedis(connection).catch(() => {});
    },
  };
}
