import { parseRetryAfter } from '../neuxnet/classify.js';
import type { WebhookDeadLetterReason } from '../shared/webhook-jobs.js';
import { retryDelay } from './backoff.js';

/** What one POST to a receiver came to. */
export type WebhookAnswer = { statusCode: number; statusMessage?: string; retryAfter?: string } | { networkError: string };

export type WebhookDecision =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number; lastError: string; lastHttpStatus?: number }
  | { kind: 'dead-letter'; reason: Extract<WebhookDeadLetterReason, 'rejected' | 'exhausted'>; lastError: string; lastHttpStatus?: number };

/** A Retry-After further out than this is taken as this: one event must not park its job for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;

export interface WebhookDecisionInput {
  answer: WebhookAnswer;
  now: number;
  /** Attempts made, this one included. */
  attemptsMade: number;
  attempts: number;
  baseMs: number;
  /** In [0, 1), for the jitter. */
  random: number;
}

function describe(answer: WebhookAnswer): string {
  if ('networkError' in answer) return answer.networkError;
  return [`HTTP ${answer.statusCode}`, answer.statusMessage].filter(Boolean).join(' ');
}

/**
 * After a POST: 2xx is delivered; network errors, 408, 429 and 5xx are retried (Retry-After as a floor)
 * until the attempts run out; anything else (other 4xx, a redirect) is final, as a receiver saying "no"
 * will say it again.
 */
export function decideWebhook(input: WebhookDecisionInput): WebhookDecision {
  const { answer } = input;
  const status = 'statusCode' in answer ? answer.statusCode : undefined;
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'delivered' };
  const lastError = describe(answer);
  const withStatus = status === undefined ? {} : { lastHttpStatus: status };
  const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
  if (!retryable) return { kind: 'dead-letter', reason: 'rejected', lastError, ...withStatus };
  if (input.attemptsMade >= input.attempts) return { kind: 'dead-letter', reason: 'exhausted', lastError, ...withStatus };
  const after = 'statusCode' in answer ? parseRetryAfter(answer.retryAfter, input.now) : undefined;
  const delayMs = retryDelay({
    retryNumber: input.attemptsMade,
    baseMs: input.baseMs,
    random: input.random,
    ...(after !== undefined && { retryAfterMs: Math.min(after, MAX_RETRY_AFTER_MS) }),
  });
  return { kind: 'retry', delayMs, lastError, ...withStatus };
}
