import { describe, expect, it } from 'vitest';
import { NotificationSchema } from '../../src/neuxnet/notification.js';
import { fastNotification } from '../../src/producer/fast-notification.js';

const BASE = { title: 'Shipped', text: 'Order 1042', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] };

/** Values each field may take in the cases below, valid and not; `absent` drops the field. */
const VALUES: Record<string, unknown[]> = {
  notifyType: ['absent', 1, '1', 2, '2', null, undefined],
  rulesType: ['absent', 3, '3', 1, '2', 4, null],
  countryCode: ['absent', '+966'],
  mobileNumber: ['absent', '500000000'],
  openIds: ['absent', [], ['u-1'], ['u-1', 'u-1', 'u-2'], ['a,b'], [' u'], [''], [1], 'u-1', ['x'.repeat(128)], ['x'.repeat(129)], ['é']],
  title: ['absent', 'T', '', '   ', 'x'.repeat(256), 'x'.repeat(257), 5],
  text: ['absent', 't', '', 'x'.repeat(4_096), 'x'.repeat(4_097)],
  navigateType: ['absent', 1, '1', 2, '2', 3, '01', null],
  miniAppId: ['absent', 'app', '', 'x'.repeat(129)],
  url: ['absent', 'https://e.com/a?b=1', 'http://e.com', 'ftp://e.com', 'not a url', ''],
  link: ['absent', 'pages/a', '', 'x'.repeat(2_049)],
  language: ['absent', 'en_US', 'ar_SA', 'zh_CN', 'fr_FR', undefined],
  extra: ['absent', 'x'],
};

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function variant(next: () => number): Record<string, unknown> {
  const n: Record<string, unknown> = { ...BASE };
  const fields = Object.keys(VALUES);
  for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
    const field = fields[Math.floor(next() * fields.length)] as string;
    const values = VALUES[field] as unknown[];
    const value = values[Math.floor(next() * values.length)];
    if (value === 'absent') delete n[field];
    else n[field] = value;
  }
  return n;
}

describe('fastNotification', () => {
  it('is the schema on 20,000 varied inputs: when it answers, the schema accepts with the same output, keys in order', () => {
    const next = random(12_345);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const input = variant(next);
      const mine = fastNotification(input);
      if (mine === undefined) continue;
      fast += 1;
      const schema = NotificationSchema.safeParse(input);
      expect(schema.success, JSON.stringify(input)).toBe(true);
      expect(JSON.stringify(mine), JSON.stringify(input)).toBe(JSON.stringify(schema.data));
    }
    // The cases are meant to exercise both answers.
    expect(fast).toBeGreaterThan(2_000);
  });

  it.each([
    { name: 'the usual send', input: BASE },
    { name: 'codes as strings, notifyType and rulesType set', input: { ...BASE, navigateType: '1', notifyType: '1', rulesType: 3 } },
    { name: 'open a URL', input: { title: 'a', text: 'b', navigateType: 2, url: 'https://e.com', openIds: ['u'] } },
    { name: 'repeated openIds, de-duplicated in order', input: { ...BASE, openIds: ['b', 'a', 'b'] } },
  ])('takes the fast path for $name', ({ input }) => {
    expect(fastNotification(input)).toEqual(NotificationSchema.parse(input));
  });

  it.each([
    { name: 'a phone send', input: { ...BASE, openIds: undefined, rulesType: 2, countryCode: '+966', mobileNumber: '500000000' } },
    { name: 'an explicitly undefined field', input: { ...BASE, link: undefined } },
    { name: 'anything invalid', input: { ...BASE, title: '' } },
  ])('leaves $name to the schema', ({ input }) => {
    expect(fastNotification(input)).toBeUndefined();
  });
});
