import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producer connections fail fast, so an application's `send` rejects instead of hanging while Redis is
 * down; worker connections wait and retry forever (BullMQ's "going to production" guide).
 */
export type ConnectionRole = 'producer' | 'worker';

export function redisOptions(role: ConnectionRole): RedisOptions {
  const common: RedisOptions = {
    // Reconnect with a capped backoff; BullMQ re-issues its blocking commands on reconnect.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  };
  return role === 'worker'
    ? { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true }
    : { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false };
}

export function createRedis(url: string, role: ConnectionRole): Redis {
  return new Redis(url, redisOptions(role));
}

/** Resolve once the connection is ready, or reject after `timeoutMs` with a message naming the URL's host. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      const { host, port } = redis.options;
      reject(new Error(`Redis at ${host}:${port} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** Quit politely; fall back to disconnect when the server is gone. Never throws. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    if (redis.status === 'end') return;
    await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 1_000))]);
  } catch {
    // Already closed or unreachable: nothing left to flush.
  }
  redis.disconnect();
}
