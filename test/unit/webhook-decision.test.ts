import { describe, expect, it } from 'vitest';
import { decideWebhook, type WebhookAnswer } from '../../src/worker/webhook-decision.js';

const decide = (answer: WebhookAnswer, attemptsMade = 1, attempts = 5) =>
  decideWebhook({ answer, now: Date.parse('2026-12-01T00:00:00Z'), attemptsMade, attempts, baseMs: 1_000, random: 0 });

describe('decideWebhook', () => {
  it.each<[string, WebhookAnswer, string, string?]>([
    ['200', { statusCode: 200 }, 'delivered'],
    ['204', { statusCode: 204 }, 'delivered'],
    ['network error', { networkError: 'ECONNREFUSED' }, 'retry'],
    ['timeout', { networkError: 'ETIMEDOUT (request timeout)' }, 'retry'],
    ['408', { statusCode: 408 }, 'retry'],
    ['429', { statusCode: 429 }, 'retry'],
    ['500', { statusCode: 500 }, 'retry'],
    ['503', { statusCode: 503 }, 'retry'],
    ['400', { statusCode: 400, statusMessage: 'Bad Request' }, 'dead-letter', 'rejected'],
    ['401', { statusCode: 401 }, 'dead-letter', 'rejected'],
    ['410', { statusCode: 410 }, 'dead-letter', 'rejected'],
    ['301 (never followed)', { statusCode: 301 }, 'dead-letter', 'rejected'],
  ])('%s -> %s', (_name, answer, kind, reason) => {
    const decision = decide(answer);
    expect(decision.kind).toBe(kind);
    if (reason) expect(decision).toMatchObject({ reason });
  });

  it('a retryable answer on the last attempt is dead-lettered exhausted, with the last error', () => {
    expect(decide({ statusCode: 503, statusMessage: 'Service Unavailable' }, 5, 5)).toEqual({
      kind: 'dead-letter',
      reason: 'exhausted',
      lastError: 'HTTP 503 Service Unavailable',
      lastHttpStatus: 503,
    });
  });

  it('backs off exponentially with jitter, and Retry-After (seconds or date) is a floor, capped at an hour', () => {
    expect(decide({ statusCode: 500 }, 1)).toMatchObject({ delayMs: 500 });
    expect(decide({ statusCode: 500 }, 3)).toMatchObject({ delayMs: 2_000 });
    expect(decide({ statusCode: 429, retryAfter: '30' })).toMatchObject({ delayMs: 30_000 });
    expect(decide({ statusCode: 429, retryAfter: 'Tue, 01 Dec 2026 00:02:00 GMT' })).toMatchObject({ delayMs: 120_000 });
    expect(decide({ statusCode: 503, retryAfter: '999999' })).toMatchObject({ delayMs: 3_600_000 });
  });
});
