import { describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { campaignKeys } from '../../src/shared/campaign-keys.js';
import { IdempotencyConflictError, ValidationError } from '../../src/shared/errors.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';
import { useTestRedis } from '../helpers/test-redis.js';
import { keySnapshot as snapshot } from '../helpers/key-snapshot.js';
import { notificationOf } from '../../src/shared/job-data.js';

const base = { text: 'Order 1042', navigateType: 1, language: 'en_US' } as const;
const notification = { title: 'Sale', text: 'Half price', navigateType: 1, language: 'en_US' } as const;
const three = (title: string) => ({ ...base, title, openIds: ['u-1', 'u-2', 'u-3'] });

let producer: Producer | undefined;
let prefix: string;
const redis = useTestRedis({
  prefix: () => prefix,
  closeOpened: async () => {
    await producer?.close();
    producer = undefined;
  },
});

async function open(clock?: { now(): number }): Promise<Producer> {
  prefix = testPrefix();
  producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix, chunkSize: 1 }, ...(clock && { clock }) });
  return producer;
}

async function queuedTitles(p: Producer): Promise<string[]> {
  const jobs = await p.deliveries.getJobs(['wait', 'prioritized', 'delayed']);
  return jobs.map((j) => `${j.id}:${notificationOf(j.data).title}`).sort();
}

describe('send with an idempotency key', () => {
  it('two concurrent sends with the same key and different bodies: one is queued whole, the other is a conflict', async () => {
    const p = await open();
    const results = await Promise.allSettled([
      p.send(three('A'), { idempotencyKey: 'order-1042' }),
      p.send(three('B'), { idempotencyKey: 'order-1042' }),
    ]);
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(IdempotencyConflictError);
    expect((lost[0] as IdempotencyConflictError).code).toBe('ERR_IDEMPOTENCY_CONFLICT');
    const winner = results[0]!.status === 'fulfilled' ? 'A' : 'B';
    const { id } = won[0]!;
    expect(won[0]).toEqual({ id, jobs: 3, duplicate: false });
    expect(await queuedTitles(p)).toEqual([0, 1, 2].map((i) => `${id}.${i}:${winner}`));
  });

  it('the same request again, even concurrently, answers duplicate with the first id and queues nothing new', async () => {
    const p = await open();
    const [a, b] = await Promise.all([p.send(three('A'), { idempotencyKey: 'k1' }), p.send(three('A'), { idempotencyKey: 'k1' })]);
    expect([a!.duplicate, b!.duplicate].sort()).toEqual([false, true]);
    expect(a!.id).toBe(b!.id);
    const again = await p.send(three('A'), { idempotencyKey: 'k1', expiresIn: '1h' });
    expect(again).toEqual({ id: a!.id, jobs: 3, duplicate: true });
    expect(await queuedTitles(p)).toHaveLength(3);
    // Options that shape delivery are part of the request.
    await expect(p.send(three('A'), { idempotencyKey: 'k1', expiresIn: '2h' })).rejects.toBeInstanceOf(IdempotencyConflictError);
  });

  it('a send that crashed after its first chunk is completed by a repeat of the same request', async () => {
    const p = await open();
    const addBulk = p.deliveries.addBulk.bind(p.deliveries);
    p.deliveries.addBulk = async (jobs) => {
      await addBulk(jobs.slice(0, 1));
      throw new Error('crashed midway');
    };
    await expect(p.send(three('A'), { idempotencyKey: 'k2' })).rejects.toThrow('crashed midway');
    expect(await queuedTitles(p)).toHaveLength(1);
    await expect(p.send(three('B'), { idempotencyKey: 'k2' })).rejects.toBeInstanceOf(IdempotencyConflictError);

    p.deliveries.addBulk = addBulk;
    const repeat = await p.send(three('A'), { idempotencyKey: 'k2' });
    expect(repeat).toMatchObject({ jobs: 3, duplicate: true });
    expect(await queuedTitles(p)).toEqual([0, 1, 2].map((i) => `${repeat.id}.${i}:A`));
  });

  it('the key is stored hashed, never as given; the record holds no notification', async () => {
    const p = await open();
    await p.send(three('A'), { idempotencyKey: 'user:+966500000000' });
    const keys = await redis.keys(`${prefix}:np:idem:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${prefix}:np:idem:[0-9a-f]{40}$`));
    const stored = (await redis.get(keys[0]!)) ?? '';
    expect(stored).not.toContain('966500000000');
    expect(stored).not.toContain('u-1');
  });
});

describe('the producer clock', () => {
  it('computes send times and deadlines from the clock it was given', async () => {
    const fake = Date.parse('2030-01-01T00:00:00Z');
    const p = await open({ now: () => fake });
    // Already past by the real clock, an hour ahead by the fake one.
    const r = await p.send(three('A'), { sendAt: '2030-01-01T01:00:00Z', expiresIn: '30m' });
    const job = await p.deliveries.getJob(`${r.id}.0`);
    expect(job?.data).toMatchObject({ sendAt: fake + 3_600_000, deadline: fake + 5_400_000 });
    expect(job?.opts.delay).toBe(3_600_000);
    expect(job?.timestamp).toBe(fake);
  });

  it('campaigns take their send times from the same clock', async () => {
    const fake = Date.parse('2030-01-01T00:00:00Z');
    const p = await open({ now: () => fake });
    // 09:00 in Riyadh (UTC+3) on the fake day is 06:00 UTC, still ahead of the fake midnight.
    const created = await p.createCampaign({ id: 'clocked', notification, recipients: [{ openId: 'u-1', timezone: 'Asia/Riyadh' }], localTime: '09:00', expiresIn: '1h' });
    expect(created.jobs).toBe(1);
    const [job] = await p.deliveries.getJobs(['delayed']);
    expect(job?.data).toMatchObject({ sendAt: Date.parse('2030-01-01T06:00:00Z'), deadline: Date.parse('2030-01-01T07:00:00Z') });
  });
});

describe('ids are checked before any key is built from them (library)', () => {
  it('cancelCampaign("X:chunks") is a ValidationError and writes nothing into campaign X', async () => {
    const producer = await open();
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
