import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { campaignKeys } from '../../src/shared/campaign-keys.js';
import { ValidationError } from '../../src/shared/errors.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';
import { keySnapshot as snapshot } from '../helpers/key-snapshot.js';

const notification = { title: 'Sale', text: 'Half price', navigateType: 1, language: 'en_US' } as const;

let redis: Redis;
let producer: Producer;
let prefix: string;

beforeAll(() => {
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await redis.quit();
});
afterEach(async () => {
  await producer.close();
  await deleteKeysWithPrefix(redis, prefix);
});

describe('ids are checked before any key is built from them (library)', () => {
  it('cancelCampaign("X:chunks") is a ValidationError and writes nothing into campaign X', async () => {
    prefix = testPrefix();
    producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix } });
    await producer.createCampaign({ id: 'X', notification, recipients: ['u-1', 'u-2'], sendAt: new Date(Date.now() + 3_600_000) });
    const before = await snapshot(redis, prefix);
    expect(before[campaignKeys(prefix, 'X').chunks]).toEqual({ ttl: 'none', fields: expect.any(Array) });

    for (const id of ['X:chunks', 'X:seen', 'X:inflight', '*', 'a b']) {
      await expect(producer.cancelCampaign(id), id).rejects.toThrow(ValidationError);
      await expect(producer.getCampaign(id), id).rejects.toThrow(ValidationError);
    }
    await expect(producer.cancelCampaign('X:chunks')).rejects.toThrow(/^Invalid campaign id: id: must be 1 to 100 letters/);
    await expect(producer.removeSchedule('w:x')).rejects.toThrow(/^Invalid schedule id: id:/);
    await expect(producer.redriveDeadLetters(['ok.0', 'X:chunks'])).rejects.toThrow(/^Invalid dead-letter ids: ids\.1:/);
    expect(await snapshot(redis, prefix)).toEqual(before);
    expect(await redis.hget(campaignKeys(prefix, 'X').chunks, 'cancelledAt')).toBeNull();
  });
});
