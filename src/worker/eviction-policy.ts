import type { RedisConnection } from '../shared/redis.js';
import { NeupushError, type NeupushErrorOptions } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { raceTimeout } from '../shared/timeout.js';

/** Redis would evict queued notifications under memory pressure; the worker refuses to run on it. */
export class EvictionPolicyError extends NeupushError {
  readonly policy: string;
  constructor(policy: string, options?: NeupushErrorOptions) {
    super(
      `Redis maxmemory-policy is ${policy}: under memory pressure Redis would silently delete queued ` +
        'notifications and BullMQ bookkeeping. Set it to noeviction (redis.conf `maxmemory-policy noeviction`, ' +
        'or CONFIG SET maxmemory-policy noeviction), or set NEUPUSH_ALLOW_EVICTION=true to run anyway.',
      'ERR_REDIS_EVICTION',
      options,
    );
    this.policy = policy;
  }
}

export type PolicyReading = { policy: string } | { policy: undefined; why: string };

/** CONFIG GET maxmemory-policy, bounded: managed Redis services often refuse CONFIG, or Redis is not up yet. */
export async function readMaxmemoryPolicy(redis: RedisConnection, timeoutMs = 5_000): Promise<PolicyReading> {
  const read = (async (): Promise<PolicyReading> => {
    try {
      const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as unknown;
      const policy = Array.isArray(reply) ? reply[1] : undefined;
      return typeof policy === 'string' ? { policy } : { policy: undefined, why: 'CONFIG GET returned no maxmemory-policy' };
    } catch (error) {
      return { policy: undefined, why: `CONFIG GET was refused (${error instanceof Error ? error.message : String(error)})` };
    }
  })();
  return raceTimeout(read, timeoutMs, (): PolicyReading => ({
    policy: undefined,
    why: `Redis did not answer CONFIG GET within ${timeoutMs} ms`,
  }));
}

/**
 * Throws EvictionPolicyError for any policy but noeviction, unless `allowEviction`, which downgrades it to
 * an error-level log line. A policy that cannot be read is a warning: the check is best effort.
 */
export async function checkEvictionPolicy(
  redis: RedisConnection,
  { allowEviction, logger, timeoutMs }: { allowEviction: boolean; logger: Logger; timeoutMs?: number },
): Promise<PolicyReading> {
  const reading = await readMaxmemoryPolicy(redis, timeoutMs);
  if (reading.policy === undefined) {
    logger.warn({ why: reading.why }, 'could not check Redis maxmemory-policy; make sure it is noeviction');
  } else if (reading.policy !== 'noeviction') {
    if (!allowEviction) throw new EvictionPolicyError(reading.policy);
    logger.error(
      { policy: reading.policy },
      'Redis maxmemory-policy is not noeviction: queued notifications can be silently evicted (running anyway: NEUPUSH_ALLOW_EVICTION=true)',
    );
  }
  return reading;
}
