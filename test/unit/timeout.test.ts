import { describe, expect, it } from 'vitest';
import { raceTimeout } from '../../src/shared/timeout.js';

describe('raceTimeout', () => {
  it('gives the promise when it settles first', async () => {
    await expect(raceTimeout(Promise.resolve('done'), 1_000, () => 'late')).resolves.toBe('done');
  });

  it("gives onTimeout's value when the promise is still pending", async () => {
    await expect(raceTimeout(new Promise<string>(() => {}), 10, () => 'late')).resolves.toBe('late');
  });

  it('rejects with what onTimeout throws', async () => {
    const pending = raceTimeout(new Promise<string>(() => {}), 10, () => {
      throw new Error('no answer within 10 ms');
    });
    await expect(pending).rejects.toThrow('no answer within 10 ms');
  });

  it("passes the promise's rejection through", async () => {
    await expect(raceTimeout(Promise.reject(new Error('refused')), 1_000, () => 'late')).rejects.toThrow('refused');
  });
});
