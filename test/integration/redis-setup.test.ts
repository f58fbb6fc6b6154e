import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';

describe('test Redis', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl());
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('answers PING and is visible to child processes', async () => {
    expect(await redis.ping()).toBe('PONG');
    expect(process.env.NEUPUSH_TEST_REDIS_URL).toBe(redisUrl());
  });

  it('deleteKeysWithPrefix removes only keys under its own prefix', async () => {
    const mine = testPrefix();
    const other = testPrefix();
    const keys = Array.from({ length: 1_500 }, (_, i) => `${mine}:k${i}`);
    await redis.mset(...keys.flatMap((key) => [key, '1']));
    await redis.set(`${other}:keep`, '1');
    await redis.set(`${mine}-lookalike:keep`, '1');

    expect(await deleteKeysWithPrefix(redis, mine)).toBe(1_500);

    expect(await redis.exists(...keys)).toBe(0);
    expect(await redis.get(`${other}:keep`)).toBe('1');
    expect(await redis.get(`${mine}-lookalike:keep`)).toBe('1');
    await deleteKeysWithPrefix(redis, other);
    await deleteKeysWithPrefix(redis, `${mine}-lookalike`);
  });

  it('deleteKeysWithPrefix refuses a prefix that could match other keys', async () => {
    await expect(deleteKeysWithPrefix(redis, '')).rejects.toThrow(/refusing/);
    await expect(deleteKeysWithPrefix(redis, 'test-*')).rejects.toThrow(/refusing/);
  });
});
