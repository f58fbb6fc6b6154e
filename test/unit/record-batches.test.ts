import { describe, expect, it } from 'vitest';
import { RecordBatches } from '../../src/producer/record-batches.js';

async function collect(source: Iterable<unknown> | AsyncIterable<unknown>, skip: number, size: number) {
  const input = new RecordBatches(source, skip, size);
  const batches: { records: unknown[]; firstIndex: number }[] = [];
  for await (const batch of input) batches.push(batch);
  return { batches, read: input.read };
}

async function* asyncOf<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const items = Array.from({ length: 7 }, (_, i) => `r${i}`);

describe('RecordBatches', () => {
  for (const [name, source] of [
    ['an array', () => items],
    ['a generator', () => items.values()],
    ['an async iterable', () => asyncOf(items)],
  ] as const) {
    it(`${name}: batches of the given size, the last one shorter, with their first record number`, async () => {
      expect(await collect(source(), 0, 3)).toEqual({
        batches: [
          { records: ['r0', 'r1', 'r2'], firstIndex: 0 },
          { records: ['r3', 'r4', 'r5'], firstIndex: 3 },
          { records: ['r6'], firstIndex: 6 },
        ],
        read: 7,
      });
    });

    it(`${name}: skips the records a resume already queued, and counts them as read`, async () => {
      expect(await collect(source(), 3, 3)).toEqual({
        batches: [
          { records: ['r3', 'r4', 'r5'], firstIndex: 3 },
          { records: ['r6'], firstIndex: 6 },
        ],
        read: 7,
      });
      expect(await collect(source(), 10, 3)).toEqual({ batches: [], read: 7 });
    });
  }

  it('an empty source yields nothing', async () => {
    expect(await collect([], 0, 3)).toEqual({ batches: [], read: 0 });
  });

  it('a source that fails part-way: the batches before the failure, then the error', async () => {
    async function* breaks() {
      yield 'a';
      yield 'b';
      throw new Error('the export job died');
    }
    const seen: unknown[][] = [];
    await expect(
      (async () => {
        for await (const { records } of new RecordBatches(breaks(), 0, 1)) seen.push(records);
      })(),
    ).rejects.toThrow('the export job died');
    expect(seen).toEqual([['a'], ['b']]);
  });
});
