import { describe, it, expect } from 'vitest';
import { retryDelay, type BackoffInput } from '../../src/worker/backoff.js';

/** The largest double below 1, as Math.random() can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

describe('retryDelay', () => {
  const cases: { name: string; input: BackoffInput; expected: number }[] = [
    { name: 'first retry, random 0: half the base', input: { retryNumber: 1, baseMs: 1_000, random: 0 }, expected: 500 },
    { name: 'first retry, random ~1: the base', input: { retryNumber: 1, baseMs: 1_000, random: ALMOST_ONE }, expected: 1_000 },
    { name: 'second retry doubles, random 0', input: { retryNumber: 2, baseMs: 1_000, random: 0 }, expected: 1_000 },
    { name: 'second retry, random ~1', input: { retryNumber: 2, baseMs: 1_000, random: ALMOST_ONE }, expected: 2_000 },
    { name: 'fifth retry: base * 16, random 0.5', input: { retryNumber: 5, baseMs: 1_000, random: 0.5 }, expected: 12_000 },
    { name: 'retry number 0 is treated as the first', input: { retryNumber: 0, baseMs: 1_000, random: 0 }, expected: 500 },
    {
      name: 'capped by maxMs, random 0',
      input: { retryNumber: 20, baseMs: 1_000, maxMs: 60_000, random: 0 },
      expected: 30_000,
    },
    {
      name: 'capped by maxMs, random ~1',
      input: { retryNumber: 20, baseMs: 1_000, maxMs: 60_000, random: ALMOST_ONE },
      expected: 60_000,
    },
    { name: 'default cap is one hour', input: { retryNumber: 40, baseMs: 1_000, random: ALMOST_ONE }, expected: 3_600_000 },
    {
      name: 'Retry-After is a floor above the backoff',
      input: { retryNumber: 1, baseMs: 1_000, random: 0, retryAfterMs: 30_000 },
      expected: 30_000,
    },
    {
      name: 'Retry-After below the backoff changes nothing',
      input: { retryNumber: 3, baseMs: 1_000, random: 0, retryAfterMs: 100 },
      expected: 2_000,
    },
    {
      name: 'Retry-After is not capped by maxMs',
      input: { retryNumber: 1, baseMs: 1_000, maxMs: 5_000, random: 0, retryAfterMs: 7_200_000 },
      expected: 7_200_000,
    },
  ];

  it.each(cases)('$name -> $expected ms', ({ input, expected }) => {
    expect(retryDelay(input)).toBe(expected);
  });

  it('with real randomness stays within [nominal/2, nominal]', () => {
    for (let i = 0; i < 200; i++) {
      const d = retryDelay({ retryNumber: 3, baseMs: 1_000 });
      expect(d).toBeGreaterThanOrEqual(2_000);
      expect(d).toBeLessThanOrEqual(4_000);
    }
  });
});
