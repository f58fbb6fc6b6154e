import type { Redis } from 'ioredis';
import type { RedisConnection } from './redis.js';

/**
 * Delete every key under `${prefix}:` (SCAN + UNLINK) and nothing else; never a flush, since the Redis may
 * hold other applications' data. On a cluster each master is scanned. Callers guard which prefixes they
 * allow. Returns how many keys were deleted.
 */
export async function unlinkKeysUnder(redis: RedisConnection, prefix: string): Promise<number> {
  const pattern = `${prefix}:*`;
  if ('nodes' in redis && typeof redis.nodes === 'function') {
    const counts = await Promise.all(redis.nodes('master').map((node) => unlinkMatching(node, pattern, false)));
    return counts.reduce((a, b) => a + b, 0);
  }
  return unlinkMatching(redis as Redis, pattern, true);
}

async function unlinkMatching(redis: Redis, pattern: string, batch: boolean): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    if (keys.length === 0) continue;
    if (batch) {
      deleted += await redis.unlink(...keys);
    } else {
      // A cluster node refuses a multi-key UNLINK across hash slots.
      const results = await redis.pipeline(keys.map((key) => ['unlink', key])).exec();
      deleted += (results ?? []).filter(([err, n]) => err === null && n === 1).length;
    }
  } while (cursor !== '0');
  return deleted;
}
