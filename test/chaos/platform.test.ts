import { describe, it } from 'vitest';
import { HAS_REDIS_SERVER } from './helpers/world.js';
import { platformHangs, sendNotifyOutage } from './scenarios.js';

describe.skipIf(!HAS_REDIS_SERVER)('sendNotify failures', () => {
  it('a 60 s outage (503, hanging, refusing connections): nothing within its deadline dead-lettered, calls bounded', async () => {
    await sendNotifyOutage({
      recipients: 50_000,
      phaseMs: 20_000,
      concurrency: 50,
      timeoutMs: 10_000,
      maxPauseMs: 30_000,
      shortDeadlineMs: 30_000,
    });
  });

  it('the platform hangs: the HTTP timeout (10 s) fires before the 30 s job lock, and the job retries', async () => {
    await platformHangs({ timeoutMs: 10_000 });
  });
});
