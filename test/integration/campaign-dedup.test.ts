import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { campaignKeys } from '../../src/shared/campaign-keys.js';
import { CampaignDedup, type BatchOpenIds } from '../../src/producer/campaign-dedup.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';

let redis: Redis;
let prefix: string;
beforeEach(() => {
  redis = new Redis(redisUrl());
  prefix = testPrefix();
});
afterEach(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

const batch = (...ids: string[]): BatchOpenIds => new Map(ids.map((id) => [id, undefined]));

describe('CampaignDedup', () => {
  for (const fromFirstRecord of [true, false]) {
    it(`${fromFirstRecord ? 'a run from the first record (filter)' : 'a resumed run (Redis only)'}: repeats of batches not yet checkpointed and of checkpointed ones`, async () => {
      const keys = campaignKeys(prefix, 'd');
      await redis.hset(keys.meta, 'cursor', '0');
      const dedup = new CampaignDedup(redis, keys, fromFirstRecord);
      const b0 = batch('a', 'b', 'c');
      const b1 = batch('d', 'a', 'e');
      // Batch 1 is checked while batch 0 is still unsettled: its repeat of "a" is caught in memory.
      expect(await dedup.check(b0)).toEqual([true, true, true]);
      expect(await dedup.check(b1)).toEqual([true, false, true]);
      expect(await dedup.checkpoint(b0, ['a', 'b', 'c'], 0, 3, 1)).toBe('moved');
      expect(await dedup.checkpoint(b1, ['d', 'e'], 3, 6, 2)).toBe('moved');
      expect((await redis.smembers(keys.seen)).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      // Checkpointed batches are caught through the set.
      expect(await dedup.check(batch('e', 'f', 'b'))).toEqual([false, true, false]);
    });
  }

  it('a batch redone after a crash before its checkpoint gets the same answer as the first time', async () => {
    const keys = campaignKeys(prefix, 'r');
    await redis.hset(keys.meta, 'cursor', '0');
    const first = new CampaignDedup(redis, keys, true);
    const b0 = batch('a', 'b');
    await first.check(b0);
    expect(await first.checkpoint(b0, ['a', 'b'], 0, 2, 1)).toBe('moved');
    const b1 = batch('b', 'c');
    const answer = await first.check(b1);
    // The crash: batch 1 never reached its checkpoint. The resumed run starts from cursor 2.
    const resumed = new CampaignDedup(redis, keys, false);
    expect(await resumed.check(batch('b', 'c'))).toEqual(answer);
    expect(answer).toEqual([false, true]);
  });

  it('the checkpoint refuses a cursor another creator moved, and reports a cancel', async () => {
    const keys = campaignKeys(prefix, 'c');
    await redis.hset(keys.meta, 'cursor', '5');
    const dedup = new CampaignDedup(redis, keys, false);
    const b = batch('a');
    await dedup.check(b);
    expect(await dedup.checkpoint(b, ['a'], 0, 1, 1)).toBe('busy');
    await redis.hset(keys.meta, 'cancelledAt', '1');
    expect(await dedup.check(batch('z'))).toBe('cancelled');
    expect(await dedup.checkpoint(b, ['a'], 5, 6, 1)).toBe('cancelled');
    // The set a late checkpoint would have made again after the cancel deleted it is gone.
    expect(await redis.exists(keys.seen)).toBe(0);
  });
});
