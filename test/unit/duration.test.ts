import { describe, it, expect } from 'vitest';
import { parseDuration } from '../../src/shared/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1.5h', 5_400_000],
    ['0.5s', 500],
    ['  2m  ', 120_000],
    ['2500', 2_500],
    ['0', 0],
    ['0s', 0],
    [1_500, 1_500],
    [1.6, 2],
    [0, 0],
  ] as [string | number, number][])('%j -> %i ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([['soon'], [''], ['1x'], ['h'], ['1 h'], ['1h 30m'], ['-5s'], ['-5'], ['1h!'], ['ms'], ['1.5'], [-1], [Number.NaN], [Infinity]] as [
    string | number,
  ][])('%j -> undefined', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});
