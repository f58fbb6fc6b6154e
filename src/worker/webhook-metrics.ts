import { Counter, Histogram, type Registry } from 'prom-client';

export const WEBHOOK_OUTCOMES = ['delivered', 'retried', 'dead-lettered', 'enqueue-failed'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface WebhookMetrics {
  count(outcome: WebhookOutcome): void;
  /** One POST, whatever its answer. */
  observeDuration(seconds: number): void;
}

/** The webhook series, on the worker's registry; every outcome starts at 0 so rate() and alerts see it at once. */
export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const total = new Counter({
    name: 'neupush_webhooks_total',
    help: 'Webhook POST attempts and events by outcome: delivered, retried, dead-lettered; enqueue-failed counts events that could not be queued',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of WEBHOOK_OUTCOMES) total.inc({ outcome }, 0);
  const duration = new Histogram({
    name: 'neupush_webhook_duration_seconds',
    help: 'Duration of one webhook POST, answer or network error',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  return {
    count: (outcome) => total.inc({ outcome }),
    observeDuration: (seconds) => duration.observe(seconds),
  };
}

/** When /metrics is off. */
export const NO_WEBHOOK_METRICS: WebhookMetrics = { count: () => {}, observeDuration: () => {} };
