import type { RedisConnection } from '../../shared/redis.js';
import { unlinkKeysUnder } from '../../shared/unlink-prefix.js';

export const DEMO_PREFIX_START = 'neupush-demo-';

/**
 * Delete the demo's own keys (SCAN + UNLINK under `${prefix}:`) and nothing else: the Redis may be a
 * real one that holds real queues. Refuses any prefix that is not a demo prefix.
 */
export async function unlinkDemoKeys(redis: RedisConnection, prefix: string): Promise<number> {
  if (!prefix.startsWith(DEMO_PREFIX_START) || !/^[A-Za-z0-9-]+$/.test(prefix)) {
    throw new Error(`refusing to delete keys under ${JSON.stringify(prefix)}: not a demo prefix`);
  }
  return unlinkKeysUnder(redis, prefix);
}
