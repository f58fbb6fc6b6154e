import { describe, it } from 'vitest';
import { HAS_REDIS_SERVER } from './helpers/world.js';
import { killNineDuringCampaign, sigtermDuringCampaign } from './scenarios.js';

describe.skipIf(!HAS_REDIS_SERVER)('worker crashes during a campaign', () => {
  it('kill -9 every 2 s during a 100,000-recipient campaign: nothing lost, repeats bounded by calls in flight', async () => {
    // 1,000 requests at 40/s: about 25 s of sending to kill into.
    await killNineDuringCampaign({ recipients: 100_000, killEveryMs: 2_000, concurrency: 50, rateLimit: 40, maxKills: 15, answerDelayMs: 200 });
  });

  it('SIGTERM during a campaign: nothing lost, nothing twice', async () => {
    await sigtermDuringCampaign({ recipients: 50_000, rateLimit: 50 });
  });
});
