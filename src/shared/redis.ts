import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import { RedisTimeoutError } from './errors.js';
import type { Logger } from './logger.js';
import { raceTimeout } from './timeout.js';

/** A standalone (or Sentinel) connection, or a Redis Cluster. Both speak the same commands. */
export type RedisConnection = Redis | Cluster;

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

export interface ConnectOptions {
  /** Where its connection errors are logged (see logConnectionErrors). @defaultValue not logged */
  logger?: Logger;
}

/**
 * The connection the configuration asks for: standalone at REDIS_URL, or, with REDIS_CLUSTER_NODES, a
 * cluster seeded from those nodes with REDIS_URL's user, password and TLS (rediss://). BullMQ takes either.
 */
export function connectRedis(
  config: Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName'>,
  role: ConnectionRole,
  { logger }: ConnectOptions = {},
): RedisConnection {
  const redis = config.redisClusterNodes
    ? new Cluster(config.redisClusterNodes, clusterOptions(config.redisUrl, role))
    : config.redisSentinels
      ? new Redis(sentinelOptions(config.redisUrl, config.redisSentinels, config.redisSentinelName, role))
      : new Redis(config.redisUrl, redisOptions(role));
  if (logger) logConnectionErrors(redis, logger);
  return redis;
}


/**
 * Log a connection's 'error' events as warnings. ioredis repeats the same error on every reconnect attempt,
 * so a streak of one error is one line, and the connection coming back after errors is one more.
 */
export function logConnectionErrors(redis: RedisConnection, logger: Logger): void {
  let last: string | undefined;
  redis.on('error', (err: Error) => {
    if (err.message === last) return;
    last = err.message;
    logger.warn({ err }, 'Redis connection error');
  });
  redis.on('ready', () => {
    if (last !== undefined) logger.info('Redis connection ready again');
    last = undefined;
  });
}

function credentials(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url);
  return {
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
  };
}

/**
 * Ask the Sentinels for the master of `name` and follow it through failovers (ioredis reconnects to the
 * new master; BullMQ re-issues its blocking commands). REDIS_URL's user, password and TLS go to the master.
 */
export function sentinelOptions(
  url: string,
  sentinels: { host: string; port: number }[],
  name: string,
  role: ConnectionRole,
): RedisOptions {
  const auth = credentials(url);
  return { ...redisOptions(role), sentinels, name, ...auth, ...(auth.tls && { enableTLSForSentinelMode: true }) };
}

export function clusterOptions(url: string, role: ConnectionRole): ClusterOptions {
  const auth = credentials(url);
  const tls = auth.tls !== undefined;
  const { maxRetriesPerRequest, enableOfflineQueue, retryStrategy } = redisOptions(role);
  return {
    redisOptions: { maxRetriesPerRequest, ...auth },
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    clusterRetryStrategy: (times) => retryStrategy?.(times) ?? 2_000,
    // Managed clusters with TLS (ElastiCache) present certificates for their DNS names, not for the IPs
    // that CLUSTER SLOTS returns; resolving lazily keeps the name for the TLS check (ioredis README).
    ...(tls && { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) }),
  };
}

/**
 * Resolve once the connection is ready, or reject after `timeoutMs` with a RedisTimeoutError naming the
 * URL's host, whose `cause` is the last connection error seen meanwhile (ECONNREFUSED, NOAUTH, ...).
 */
export async function waitForRedis(redis: RedisConnection, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  let lastError: unknown;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      const where =
        redis instanceof Cluster
          ? 'the cluster'
          : redis.options.sentinels
            ? `the master "${redis.options.name}" of the Sentinels`
            : `${redis.options.host}:${redis.options.port}`;
      const message = `Redis at ${where} did not answer within ${timeoutMs} ms`;
      reject(new RedisTimeoutError(message, timeoutMs, lastError === undefined ? undefined : { cause: lastError }));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown) => {
      lastError = error;
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

/** Quit politely; fall back to disconnect when the server is gone. Never throws. */
export async function closeRedis(redis: RedisConnection): Promise<void> {
  try {
    if (redis.status === 'end') return;
    await raceTimeout(redis.quit(), 1_000, () => undefined);
  } catch {
    // Already closed or unreachable: nothing left to flush.
  }
  redis.disconnect();
}

/** True when the Redis at `url` answers PING within `timeoutMs`: no retries, no offline queue; never throws. */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
