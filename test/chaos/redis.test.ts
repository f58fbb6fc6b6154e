import { describe, it } from 'vitest';
import { HAS_REDIS_SERVER } from './helpers/world.js';
import { redisConnectionDrops, redisCrashWithAof } from './scenarios.js';

describe.skipIf(!HAS_REDIS_SERVER)('Redis failures', () => {
  it('Redis with AOF killed -9 and restarted: scheduled notifications go out at or after their time; everyone reconnects', async () => {
    await redisCrashWithAof({ notifications: 200, spreadMs: 10_000, downMs: 5_000 });
  });

  it('every connection dropped (CLIENT KILL) three times mid-campaign: processing resumes, nothing lost', async () => {
    await redisConnectionDrops({ recipients: 50_000, rateLimit: 50, drops: 3 });
  });
});
