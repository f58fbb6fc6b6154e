import { describe, expect, it } from 'vitest';
import { OpenIdFilter } from '../../src/producer/openid-filter.js';

describe('OpenIdFilter', () => {
  it('never says "new" for an openId it was given before', () => {
    const filter = new OpenIdFilter();
    const ids = Array.from({ length: 50_000 }, (_, i) => `2ace75812f4004a5${String(i).padStart(16, '0')}`);
    for (const id of ids) filter.add(id);
    expect(ids.every((id) => filter.add(id))).toBe(true);
  });

  it('says "new" for almost every openId it was not given', () => {
    const filter = new OpenIdFilter();
    for (let i = 0; i < 200_000; i++) filter.add(`user-${i}`);
    let positives = 0;
    for (let i = 0; i < 200_000; i++) if (filter.add(`other-${i}`)) positives++;
    // Far below 0.1% at this fill; a positive only costs an exact look-up.
    expect(positives).toBeLessThan(100);
  });

  it('tells apart openIds that differ in one character or in length', () => {
    const filter = new OpenIdFilter();
    expect(filter.add('abc')).toBe(false);
    expect(filter.add('abd')).toBe(false);
    expect(filter.add('abcd')).toBe(false);
    expect(filter.add('abc')).toBe(true);
  });
});
