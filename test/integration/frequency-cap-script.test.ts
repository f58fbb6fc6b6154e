import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';
import { applyFrequencyCap, frequencyCapKey } from '../../src/worker/frequency-cap.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 12);

const prefix = testPrefix();
let a: Redis;
let b: Redis;
beforeAll(() => {
  a = new Redis(redisUrl());
  b = new Redis(redisUrl());
});
afterAll(async () => {
  await deleteKeysWithPrefix(a, prefix);
  await Promise.all([a.quit(), b.quit()]);
});

const cap = (max: number, perMs = HOUR) => ({ max, perMs });

describe('the frequency cap script (its own clock, real Redis)', () => {
  it('lets max deliveries through in a rolling window, then again once the oldest leaves it', async () => {
    const run = (deliveryKey: string, now: number) => applyFrequencyCap(a, prefix, { openIds: ['w'], deliveryKey, cap: cap(2), now });
    expect(await run('d1', T0)).toEqual({ letThrough: ['w'], capped: 0 });
    expect(await run('d2', T0 + 10 * 60_000)).toEqual({ letThrough: ['w'], capped: 0 });
    expect(await run('d3', T0 + 20 * 60_000)).toEqual({ letThrough: [], capped: 1 });
    // The same delivery again (a retry, a redrive) is let through without counting twice.
    expect(await run('d1', T0 + 30 * 60_000)).toEqual({ letThrough: ['w'], capped: 0 });
    expect(await a.zcard(frequencyCapKey(prefix, 'w'))).toBe(2);
    // An hour after d1, only d2 is inside the window.
    expect(await run('d4', T0 + HOUR + 1)).toEqual({ letThrough: ['w'], capped: 0 });
    expect(await run('d5', T0 + HOUR + 2)).toEqual({ letThrough: [], capped: 1 });
  });

  it('keeps the order of the chunk and leaves out only the capped openIds', async () => {
    await applyFrequencyCap(a, prefix, { openIds: ['o2', 'o4'], deliveryKey: 'first', cap: cap(1), now: T0 });
    const decided = await applyFrequencyCap(a, prefix, { openIds: ['o1', 'o2', 'o3', 'o4', 'o5'], deliveryKey: 'second', cap: cap(1), now: T0 + 1 });
    expect(decided).toEqual({ letThrough: ['o1', 'o3', 'o5'], capped: 2 });
  });

  it('only looks with record: false', async () => {
    const look = await applyFrequencyCap(a, prefix, { openIds: ['l1'], deliveryKey: 'x', cap: cap(1), now: T0, record: false });
    expect(look).toEqual({ letThrough: ['l1'], capped: 0 });
    expect(await a.exists(frequencyCapKey(prefix, 'l1'))).toBe(0);
  });

  it('records expire on their own, a window after the newest entry', async () => {
    await applyFrequencyCap(a, prefix, { openIds: ['e1'], deliveryKey: 'x', cap: cap(3, 10 * 60_000), now: T0 });
    const pttl = await a.pttl(frequencyCapKey(prefix, 'e1'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(10 * 60_000);
    // A longer window recording into the same key keeps it for that window.
    await applyFrequencyCap(a, prefix, { openIds: ['e1'], deliveryKey: 'y', cap: cap(3, 2 * HOUR), now: T0 + 1 });
    expect(await a.pttl(frequencyCapKey(prefix, 'e1'))).toBeGreaterThan(10 * 60_000);
  });

  it('two connections deciding the same openIds at once let each one through exactly once', async () => {
    const openIds = Array.from({ length: 100 }, (_, i) => `race${i}`);
    for (let round = 0; round < 5; round++) {
      const ids = openIds.map((id) => `${id}.${round}`);
      const [x, y] = await Promise.all([
        applyFrequencyCap(a, prefix, { openIds: ids, deliveryKey: `a${round}`, cap: cap(1), now: T0 }),
        applyFrequencyCap(b, prefix, { openIds: [...ids].reverse(), deliveryKey: `b${round}`, cap: cap(1), now: T0 }),
      ]);
      expect(x.capped + y.capped).toBe(100);
      expect([...x.letThrough, ...y.letThrough].sort()).toEqual([...ids].sort());
    }
  });
});
