import { Redis } from 'ioredis';
import { afterAll, afterEach } from 'vitest';
import { deleteKeysWithPrefix, redisUrl } from './isolation.js';

/**
 * The hygiene most integration files need: one Redis client for the file; after each test, first what
 * the test opened is closed (`closeOpened`), then every key under the test's prefix is deleted; after the
 * file, the client is closed. `prefix` is read after each test, so a test sets it when it opens its things.
 */
export function useTestRedis(options: { prefix: () => string | undefined; closeOpened?: () => Promise<void> }): Redis {
  const redis = new Redis(redisUrl());
  afterEach(async () => {
    await options.closeOpened?.();
    const prefix = options.prefix();
    if (prefix !== undefined) await deleteKeysWithPrefix(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });
  return redis;
}
