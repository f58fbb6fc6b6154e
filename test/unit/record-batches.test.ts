import { describe, expect, it } from 'vitest';
import { RecipientRuleError, RecordBatches } from '../../src/producer/record-batches.js';
import { openIdOf, toRecipient } from '../../src/shared/recipient.js';

async function collect(source: Iterable<unknown> | AsyncIterable<unknown>, replay: number, size: number) {
  const input = new RecordBatches(source, { replay, size, normalize: toRecipient });
  const batches: { ids: string[]; firstIndex: number; replay: boolean }[] = [];
  for await (const b of input) batches.push({ ids: b.recipients.map(openIdOf), firstIndex: b.firstIndex, replay: b.replay });
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
          { ids: ['r0', 'r1', 'r2'], firstIndex: 0, replay: false },
          { ids: ['r3', 'r4', 'r5'], firstIndex: 3, replay: false },
          { ids: ['r6'], firstIndex: 6, replay: false },
        ],
        read: 7,
      });
    });

    it(`${name}: the records a resume already consumed come first, flagged, cut where the first run cut them`, async () => {
      expect(await collect(source(), 3, 3)).toEqual({
        batches: [
          { ids: ['r0', 'r1', 'r2'], firstIndex: 0, replay: true },
          { ids: ['r3', 'r4', 'r5'], firstIndex: 3, replay: false },
          { ids: ['r6'], firstIndex: 6, replay: false },
        ],
        read: 7,
      });
      // A finished campaign of 7: the last replayed batch ends at its cursor.
      expect((await collect(source(), 7, 3)).batches.map((b) => [b.firstIndex, b.ids.length, b.replay])).toEqual([
        [0, 3, true],
        [3, 3, true],
        [6, 1, true],
      ]);
    });
  }

  it('an empty source yields nothing', async () => {
    expect(await collect([], 0, 3)).toEqual({ batches: [], read: 0 });
  });

  it('checks each record as it is read: a bad one stops the input at once, naming its record number', async () => {
    let pulled = 0;
    function* hostile() {
      yield 'a';
      pulled++;
      yield Array.from({ length: 10_000 }, () => ({}));
      pulled++;
      yield 'never read';
    }
    const error = await collect(hostile(), 0, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipientRuleError);
    expect(error).toMatchObject({ index: 1, rule: 'must be an openId string or { openId, timezone, language }' });
    expect(pulled).toBe(1);
  });

  it('a batch holds normalised recipients, not the records given', async () => {
    const record = { openId: 'u1', timezone: 'UTC', language: 'en_US' };
    const input = new RecordBatches([record], { replay: 0, size: 10, normalize: toRecipient });
    for await (const b of input) {
      expect(b.recipients).toEqual([record]);
      expect(b.recipients[0]).not.toBe(record);
    }
  });

  it('a record that names only an openId becomes the bare string, and a batch of only those says so', async () => {
    const batches = [];
    for await (const b of new RecordBatches(['a', { openId: 'b' }, { openId: 'c', language: 'ar_SA' }], { replay: 0, size: 2, normalize: toRecipient })) batches.push(b);
    expect(batches.map((b) => [b.recipients, b.bare])).toEqual([
      [['a', 'b'], true],
      [[{ openId: 'c', language: 'ar_SA' }], false],
    ]);
  });

  it('a source that fails part-way: the batches before the failure, then the error', async () => {
    async function* breaks() {
      yield 'a';
      yield 'b';
      throw new Error('the export job died');
    }
    const seen: string[][] = [];
    await expect(
      (async () => {
        for await (const { recipients } of new RecordBatches(breaks(), { replay: 0, size: 1, normalize: toRecipient })) seen.push(recipients.map(openIdOf));
      })(),
    ).rejects.toThrow('the export job died');
    expect(seen).toEqual([['a'], ['b']]);
  });
});
