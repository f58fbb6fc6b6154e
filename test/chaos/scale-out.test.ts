import { describe, it } from 'vitest';
import { HAS_REDIS_SERVER } from './helpers/world.js';
import { scaleOut } from './scenarios.js';

describe.skipIf(!HAS_REDIS_SERVER)('scale-out', () => {
  it('three worker processes on one Redis deliver a campaign with no recipient sent twice', async () => {
    await scaleOut({ recipients: 100_000, processes: 3, concurrency: 50 });
  });
});
