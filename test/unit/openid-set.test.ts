import { describe, expect, it } from 'vitest';
import { hashOpenId, OpenIdSet } from '../../src/producer/openid-set.js';

describe('OpenIdSet', () => {
  it('answers exactly like a Set over 200,000 openIds with repeats, through its growth', () => {
    const set = new OpenIdSet();
    const reference = new Set<string>();
    let wrong = 0;
    for (let i = 0; i < 300_000; i++) {
      const id = `user-${(i * 7919) % 200_000}`;
      if (set.add(id) === reference.has(id)) wrong++;
      reference.add(id);
    }
    expect(wrong).toBe(0);
    expect(set.size).toBe(200_000);
  });

  it('insert names the entry a repeat repeats, and the arena holds each new openId once, length first', () => {
    const set = new OpenIdSet();
    expect(set.insert('ab')).toBe(-1);
    const second = set.arenaUsed;
    expect(set.insert('c\u0141')).toBe(-1);
    expect(set.insert('ab')).toBe(0);
    expect(set.insert('c\u0141')).toBe(second);
    expect(set.arenaBytes(0, set.arenaUsed).flatMap((view) => [...view])).toEqual([2, 0, 0x61, 0x62, 2, 0x80, 0x63, 0x00, 0x41, 0x01]);
  });

  it('over several arena pages: repeats are found across them, and the bytes of a range span them in order', () => {
    const set = new OpenIdSet();
    const id = (i: number) => `openid-${String(i).padStart(24, '0')}`; // 31 characters: 33 bytes stored
    const n = 100_000; // 3.3 MB: four pages of 1 MB
    for (let i = 0; i < n; i++) expect(set.insert(id(i))).toBe(-1);
    const middle = set.arenaUsed;
    for (let i = 0; i < n; i += 997) expect(set.insert(id(i))).toBeGreaterThanOrEqual(0);
    expect(set.size).toBe(n);
    const views = set.arenaBytes(0, middle);
    expect(views.length).toBeGreaterThan(3);
    const bytes = Buffer.concat(views);
    expect(bytes.length).toBe(n * 33);
    // Entry k is its header (31, 0) and its characters, whichever page it landed on.
    for (const k of [0, 31_775, 31_776, n - 1]) expect(bytes.subarray(k * 33, (k + 1) * 33).toString('latin1')).toBe(`\u001f\u0000${id(k)}`);
    // A range inside one page is one view; a range that ends where it starts is none.
    expect(set.arenaBytes(33, 66).map((v) => v.length)).toEqual([33]);
    expect(set.arenaBytes(middle, middle)).toEqual([]);
  });

  it('stays exact when every hash collides: the stored characters decide', () => {
    const set = new OpenIdSet(() => 42);
    const ids = ['a', 'b', 'ab', 'ba', 'abc', 'u-1', 'u-10', 'u-1\u0000'];
    for (const id of ids) expect(set.add(id)).toBe(true);
    for (const id of ids) expect(set.add(id)).toBe(false);
    expect(set.add('c')).toBe(true);
    expect(set.size).toBe(ids.length + 1);
  });

  it('characters above U+00FF are compared in full, not by their low byte', () => {
    const set = new OpenIdSet(() => 7);
    expect(set.add('u-\u0141')).toBe(true);
    // U+0041 has the same low byte as U+0141.
    expect(set.add('u-\u0041')).toBe(true);
    expect(set.add('用户-1')).toBe(true);
    expect(set.add('用户-1')).toBe(false);
    expect(set.add('u-\u0141')).toBe(false);
  });

  it('the hash spreads sequential openIds', () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 1_000; i++) buckets.add(hashOpenId(`user-${String(i).padStart(8, '0')}`) & 1023);
    expect(buckets.size).toBeGreaterThan(550);
  });
});
