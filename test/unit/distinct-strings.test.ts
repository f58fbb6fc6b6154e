import { describe, expect, it } from 'vitest';
import { allDistinct } from '../../src/worker/distinct-strings.js';

describe('allDistinct', () => {
  it('answers as a Set would, call after call, for lists of every length up to and past the table', () => {
    let wrong = 0;
    for (let n = 0; n <= 300; n++) {
      const list = Array.from({ length: n }, (_, i) => `u-${(i * 37) % 1000}`);
      if (allDistinct(list) !== (new Set(list).size === n)) wrong++;
      if (n > 1) {
        const repeated = [...list, list[n >> 1] as string];
        if (allDistinct(repeated)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it('a repeat anywhere is found, and strings that differ only late or only in case are distinct', () => {
    expect(allDistinct(['a', 'b', 'c', 'a'])).toBe(false);
    expect(allDistinct(['user-000000001', 'user-000000002', 'User-000000001', 'user-00000001'])).toBe(true);
    expect(allDistinct(['', ''])).toBe(false);
    expect(allDistinct(['\u0141', 'A'])).toBe(true);
  });
});
