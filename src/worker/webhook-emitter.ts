import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { WebhookQueue } from '../shared/queues.js';
import { raceTimeout } from '../shared/timeout.js';
import type { IdentifiedEvent } from '../shared/webhook-events.js';
import { enqueueWebhookEvent } from '../shared/webhook-jobs.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface WebhookEmitter {
  /** Queue an event in the background: returns at once, and never throws. */
  emit(event: IdentifiedEvent | Promise<IdentifiedEvent | undefined>): void;
  /** Wait for events still being queued, at most `timeoutMs` (shutdown). */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * Events leave the delivery path here: the hook that reports a delivery hands its event over and returns,
 * so neither Redis nor, above all, a receiver is awaited by a delivery. A failure to queue is logged and
 * counted (`neupush_webhooks_total{outcome="enqueue-failed"}`); it never fails the delivery.
 */
export function createWebhookEmitter(deps: { config: Readonly<Config>; queue: WebhookQueue; logger: Logger; metrics: WebhookMetrics }): WebhookEmitter {
  const pending = new Set<Promise<void>>();
  return {
    emit(event) {
      const work = Promise.resolve(event)
        .then((identified) => (identified ? enqueueWebhookEvent(deps.queue, deps.config, identified) : 0))
        .then(
          () => {},
          (error: unknown) => {
            deps.metrics.count('enqueue-failed');
            deps.logger.error({ err: error }, 'could not queue a webhook event; the delivery itself is unaffected');
          },
        )
        .finally(() => pending.delete(work));
      pending.add(work);
    },
    async drain(timeoutMs) {
      await raceTimeout(Promise.allSettled([...pending]).then(() => undefined), timeoutMs, () => undefined);
    },
  };
}
