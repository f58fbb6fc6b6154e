import { describe, it, expect } from 'vitest';
import { decideRetry, retryDelay, type BackoffInput } from '../../src/worker/backoff.js';

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

describe('decideRetry', () => {
  const NOW = 1_700_000_000_000;
  const cases: { name: string; args: Parameters<typeof decideRetry>[0]; expected: ReturnType<typeof decideRetry> }[] = [
    {
      name: 'attempts left, retry well before the deadline',
      args: { now: NOW, deadline: NOW + 60_000, attemptsMade: 1, attempts: 8, delayMs: 1_000 },
      expected: { action: 'retry', delayMs: 1_000 },
    },
    {
      name: 'a retry landing exactly on the deadline is still in time',
      args: { now: NOW, deadline: NOW + 1_000, attemptsMade: 1, attempts: 8, delayMs: 1_000 },
      expected: { action: 'retry', delayMs: 1_000 },
    },
    {
      name: 'a retry landing 1 ms after the deadline -> expired',
      args: { now: NOW, deadline: NOW + 999, attemptsMade: 1, attempts: 8, delayMs: 1_000 },
      expected: { action: 'dead-letter', reason: 'expired' },
    },
    {
      name: 'already past the deadline -> expired',
      args: { now: NOW, deadline: NOW - 1, attemptsMade: 1, attempts: 8, delayMs: 0 },
      expected: { action: 'dead-letter', reason: 'expired' },
    },
    {
      name: 'last attempt used -> exhausted',
      args: { now: NOW, deadline: NOW + 60_000, attemptsMade: 8, attempts: 8, delayMs: 1_000 },
      expected: { action: 'dead-letter', reason: 'exhausted' },
    },
    {
      name: 'exhausted wins over expired',
      args: { now: NOW, deadline: NOW, attemptsMade: 3, attempts: 3, delayMs: 5_000 },
      expected: { action: 'dead-letter', reason: 'exhausted' },
    },
    {
      name: 'one attempt only -> exhausted after the first failure',
      args: { now: NOW, deadline: NOW + 60_000, attemptsMade: 1, attempts: 1, delayMs: 1_000 },
      expected: { action: 'dead-letter', reason: 'exhausted' },
    },
    {
      name: 'second-to-last attempt still retries',
      args: { now: NOW, deadline: NOW + 60_000, attemptsMade: 7, attempts: 8, delayMs: 30_000 },
      expected: { action: 'retry', delayMs: 30_000 },
    },
  ];

  it.each(cases)('$name', ({ args, expected }) => {
    expect(decideRetry(args)).toStrictEqual(expected);
  });
});
