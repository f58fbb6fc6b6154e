import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/exit.js';
import { CampaignNotFoundError } from '../../src/shared/campaign-cancel.js';
import { CampaignBusyError } from '../../src/producer/campaign-create.js';
import { HttpError } from '../../src/producer/http/http-error.js';
import {
  ConfigError,
  ERROR_CODES,
  IdempotencyConflictError,
  NeupushError,
  RedisTimeoutError,
  ValidationError,
} from '../../src/shared/errors.js';
import { waitForRedis } from '../../src/shared/redis.js';
import { EvictionPolicyError } from '../../src/worker/eviction-policy.js';
import { RetryableDeliveryError } from '../../src/worker/retryable-error.js';
import { classify } from '../../src/neuxnet/classify.js';

const cause = new Error('the original');

const made: [string, (options: { cause: unknown }) => NeupushError][] = [
  ['ValidationError', (o) => new ValidationError('notification', [{ field: 'title', rule: 'is required' }], o)],
  ['ConfigError', (o) => new ConfigError('Invalid configuration: LOG_LEVEL', o)],
  ['IdempotencyConflictError', (o) => new IdempotencyConflictError('key-1', o)],
  ['RedisTimeoutError', (o) => new RedisTimeoutError('Redis at h:1 did not answer within 5 ms', 5, o)],
  ['CampaignNotFoundError', (o) => new CampaignNotFoundError('c-1', o)],
  ['CampaignBusyError', (o) => new CampaignBusyError('c-1', o)],
  ['HttpError', (o) => new HttpError(404, 'not found', undefined, o)],
  ['RetryableDeliveryError', (o) => new RetryableDeliveryError('HTTP 503', 1_000, classify({ networkError: 'ECONNRESET' }), o)],
  ['EvictionPolicyError', (o) => new EvictionPolicyError('allkeys-lru', o)],
  ['UsageError', (o) => new UsageError('cannot read x.json: no such file', o)],
];

describe('neupush errors', () => {
  it.each(made)('%s keeps its cause, name and a listed code', (name, make) => {
    const error = make({ cause });
    expect(error).toBeInstanceOf(NeupushError);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe(name);
    expect((ERROR_CODES as readonly string[]).includes(error.code) || /^ERR_HTTP_\d+$/.test(error.code)).toBe(true);
  });

  it('lists every ERR_ code written anywhere in src', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const used = new Set<string>();
    for (const file of files('src').filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['`](ERR_[A-Z0-9_]+)/g)) used.add(m[1] as string);
    }
    used.delete('ERR_HTTP_');
    expect([...used].filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(ERROR_CODES.length);
  });

  it('a Redis that never answers rejects with RedisTimeoutError, the connection error as cause', async () => {
    // Port 1 refuses connections; ioredis keeps retrying, and the last refusal is the cause.
    const redis = new Redis('redis://127.0.0.1:1', { retryStrategy: () => 50, maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    try {
      const error = await waitForRedis(redis, 300).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisTimeoutError);
      expect(error).toMatchObject({ code: 'ERR_REDIS_TIMEOUT', timeoutMs: 300, message: 'Redis at 127.0.0.1:1 did not answer within 300 ms' });
      expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      redis.disconnect();
    }
  });
});
