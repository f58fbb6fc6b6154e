import { describe, it } from 'vitest';
import { HAS_REDIS_SERVER } from './helpers/world.js';
import { onRedisCluster, onRedisSentinel } from './scenarios.js';

describe.skipIf(!HAS_REDIS_SERVER)('Redis Cluster and Sentinel', () => {
  it('with a {hash-tagged} prefix everything works on three masters, every key in one slot', async () => {
    await onRedisCluster({ recipients: 20_000 });
  });

  it('through a Sentinel: producer and worker follow a failover on their own', async () => {
    await onRedisSentinel();
  });
});
