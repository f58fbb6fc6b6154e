import { describe, it, expect } from 'vitest';
import { chunkNotification } from '../../src/shared/chunk.js';
import { NotificationSchema, type Notification } from '../../src/neuxnet/notification.js';

const base = { title: 'T', text: 'B', navigateType: '2', url: 'https://x.example/' } as const;
const withIds = (count: number): Notification =>
  NotificationSchema.parse({ ...base, rulesType: '3', openIds: Array.from({ length: count }, (_, i) => `u-${i}`) });

describe('chunkNotification', () => {
  it('10,001 openIds at size 100 -> 101 chunks of at most 100, every id once, in order', () => {
    const n = withIds(10_001);
    const chunks = chunkNotification(n, 100);
    expect(chunks).toHaveLength(101);
    expect(chunks.every((c) => (c.openIds?.length ?? 0) <= 100)).toBe(true);
    expect(chunks.slice(0, 100).every((c) => c.openIds?.length === 100)).toBe(true);
    expect(chunks[100]?.openIds).toEqual(['u-10000']);
    expect(chunks.flatMap((c) => c.openIds ?? [])).toEqual(n.openIds);
  });

  it('every chunk keeps the rest of the notification', () => {
    const chunks = chunkNotification(withIds(250), 100);
    expect(chunks.map((c) => c.openIds?.length)).toEqual([100, 100, 50]);
    for (const c of chunks) expect({ ...c, openIds: undefined }).toEqual({ ...base, rulesType: '3', openIds: undefined });
  });

  it.each([
    { count: 1, size: 100 },
    { count: 99, size: 100 },
    { count: 100, size: 100 },
  ])('$count openIds at size $size -> one chunk, the notification itself', ({ count, size }) => {
    const n = withIds(count);
    expect(chunkNotification(n, size)).toEqual([n]);
  });

  it.each([
    { audience: 'everyone', n: NotificationSchema.parse({ ...base, rulesType: 1 }) },
    {
      audience: 'a phone number',
      n: NotificationSchema.parse({ ...base, rulesType: 2, countryCode: '+966', mobileNumber: '501234567' }),
    },
  ])('no openIds ($audience) -> one chunk', ({ n }) => {
    expect(chunkNotification(n, 100)).toEqual([n]);
  });

  it('size 1 gives one chunk per recipient', () => {
    expect(chunkNotification(withIds(3), 1).map((c) => c.openIds)).toEqual([['u-0'], ['u-1'], ['u-2']]);
  });

  it('is deterministic: the same input chunks the same way', () => {
    const n = withIds(1_234);
    expect(chunkNotification(n, 100)).toEqual(chunkNotification(n, 100));
  });
});
