import { describe, it } from 'vitest';
import { HAS_REDIS_SERVER } from '../chaos/helpers/world.js';
import {
  killNineDuringCampaign,
  onRedisCluster,
  onRedisSentinel,
  platformHangs,
  redisConnectionDrops,
  redisCrashWithAof,
  sendNotifyOutage,
  sigtermDuringCampaign,
} from '../chaos/scenarios.js';

/**
 * The chaos suite (test/chaos, `npm run test:chaos`) at CI size: the same scenarios and assertions with
 * smaller campaigns and shorter outages. The full suite takes about 10 minutes; this file about 2.
 */
if (!HAS_REDIS_SERVER) console.warn('[chaos] SKIPPED: the chaos tests need redis-server on PATH to kill and restart it');

describe.skipIf(!HAS_REDIS_SERVER)('chaos, short', { timeout: 240_000 }, () => {
  it('kill -9 a worker three times during a 10,000-recipient campaign: nothing lost, repeats bounded', async () => {
    await killNineDuringCampaign({ recipients: 10_000, killEveryMs: 2_000, concurrency: 20, rateLimit: 15, maxKills: 3, answerDelayMs: 200 });
  });

  it('SIGTERM during a campaign: nothing lost, nothing twice', async () => {
    await sigtermDuringCampaign({ recipients: 10_000, rateLimit: 25 });
  });

  it('Redis with AOF killed -9 and restarted: scheduled notifications go out at or after their time', async () => {
    await redisCrashWithAof({ notifications: 30, spreadMs: 4_000, downMs: 2_000 });
  });

  it('a 9 s outage (503, hanging, refusing): nothing within its deadline dead-lettered, calls bounded', async () => {
    await sendNotifyOutage({ recipients: 5_000, phaseMs: 3_000, concurrency: 10, timeoutMs: 1_000, maxPauseMs: 2_000, shortDeadlineMs: 4_000 });
  });

  it('the platform hangs: the HTTP timeout fires before the job lock, and the job retries', async () => {
    await platformHangs({ timeoutMs: 1_500 });
  });

  it('on a three-master Redis Cluster with a {hash-tagged} prefix: send, schedule, campaign, cancel, dead letters', async () => {
    await onRedisCluster({ recipients: 2_000 });
  });

  it('through a Sentinel: producer and worker follow a failover on their own', async () => {
    await onRedisSentinel();
  });

  it('every Redis connection dropped twice mid-campaign: processing resumes, nothing lost', async () => {
    await redisConnectionDrops({ recipients: 10_000, rateLimit: 30, drops: 2 });
  });
});
