import { describe, expect, it } from 'vitest';
import { allDistinct, MAX_TABLE_IDS } from '../../src/shared/distinct-ids.js';

const setSays = (ids: string[]) => new Set(ids).size === ids.length;

describe('allDistinct', () => {
  it.each([
    [[], true],
    [['a'], true],
    [['a', 'a'], false],
    [['', ''], false],
    [['a', 'b', 'a'], false],
    [['ab', 'ba'], true],
  ])('%j: %s', (ids, expected) => {
    expect(allDistinct(ids)).toBe(expected);
  });

  it('tells apart ids that share every sampled character (length, first, middle, last four)', () => {
    // Same length, same first, middle and last four characters: all land on one slot and probe on.
    const ids = Array.from({ length: 500 }, (_, i) => `u${i.toString(36).padStart(4, '0')}-xxxxxxx-${i.toString(36).padStart(4, '0')}ZZZZ`.replace(/^(.{8})/, 'uAAAAAAA'));
    expect(new Set(ids).size).toBe(500);
    expect(allDistinct(ids)).toBe(true);
    expect(allDistinct([...ids, ids[250] as string])).toBe(false);
  });

  it('answers as a Set does on many random lists, reusing its table between them', () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296;
    for (let round = 0; round < 2_000; round++) {
      const alphabet = 1 + Math.floor(next() * 40);
      const ids = Array.from({ length: Math.floor(next() * 120) }, () => `id-${Math.floor(next() * alphabet * 3)}`);
      expect(allDistinct(ids), JSON.stringify(ids)).toBe(setSays(ids));
    }
  });

  it('falls back to a Set beyond the table', () => {
    const ids = Array.from({ length: MAX_TABLE_IDS + 1 }, (_, i) => `u-${i}`);
    expect(allDistinct(ids)).toBe(true);
    expect(allDistinct([...ids, 'u-7'])).toBe(false);
  });
});
