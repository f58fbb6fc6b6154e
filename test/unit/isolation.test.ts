import { describe, expect, it } from 'vitest';
import { TEST_PREFIX_PATTERN, testPrefix, waitUntil } from '../helpers/isolation.js';

describe('testPrefix', () => {
  it('is unique and safe as a BullMQ prefix and a SCAN pattern', () => {
    const a = testPrefix();
    const b = testPrefix();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^test-/);
    expect(a).toMatch(TEST_PREFIX_PATTERN);
  });
});

describe('waitUntil', () => {
  it('resolves once the predicate holds', async () => {
    let calls = 0;
    await waitUntil(async () => ++calls >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('times out with the message and the last error as cause', async () => {
    const failure = new Error('not yet');
    const error = await waitUntil(
      () => {
        throw failure;
      },
      { timeoutMs: 50, message: 'the thing' },
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('waitUntil timed out after 50 ms: the thing');
    expect((error as Error).cause).toBe(failure);
  });

  it('is bounded even when the predicate never settles', async () => {
    const started = Date.now();
    await expect(waitUntil(() => new Promise<boolean>(() => {}), { timeoutMs: 50 })).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
