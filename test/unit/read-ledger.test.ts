import { describe, expect, it } from 'vitest';
import { ReadLedger } from '../../src/producer/read-ledger.js';
import type { RecipientEntry } from '../../src/shared/recipient.js';

/** The digest after taking `batches` in order, and what each take returned. */
function read(batches: RecipientEntry[][]): { digest: string; fresh: RecipientEntry[][] } {
  const ledger = new ReadLedger();
  const fresh = batches.map((b) => ledger.take(b));
  return { digest: ledger.digest, fresh };
}

describe('ReadLedger', () => {
  it('returns each batch without what was read before, in order; a batch without repeats as it is', () => {
    const first = ['a', 'b', 'c'];
    const { fresh } = read([first, ['b', 'd', 'a', 'd', 'e']]);
    expect(fresh[0]).toBe(first);
    expect(fresh[1]).toEqual(['d', 'e']);
  });

  it('the same records give the same digest; any change to them, their order or their batches gives another', () => {
    const base: RecipientEntry[][] = [['a', 'b', 'a'], ['c', { openId: 'd', timezone: 'UTC' }, 'b']];
    const { digest } = read(base);
    expect(ReadLedger.comparable(digest)).toBe(true);
    expect(read(structuredClone(base)).digest).toBe(digest);
    const others: [string, RecipientEntry[][]][] = [
      ['another openId', [['a', 'x', 'a'], base[1] as RecipientEntry[]]],
      ['two in the other order', [['b', 'a', 'a'], base[1] as RecipientEntry[]]],
      ['a repeat of another record', [['a', 'b', 'b'], base[1] as RecipientEntry[]]],
      ['a repeat moved', [['a', 'a', 'b'], base[1] as RecipientEntry[]]],
      ['another zone', [base[0] as RecipientEntry[], ['c', { openId: 'd', timezone: 'Asia/Riyadh' }, 'b']]],
      ['a language added', [base[0] as RecipientEntry[], ['c', { openId: 'd', timezone: 'UTC', language: 'ar_SA' }, 'b']]],
      ['no zone', [base[0] as RecipientEntry[], ['c', 'd', 'b']]],
      ['cut elsewhere', [['a', 'b'], ['a', 'c', { openId: 'd', timezone: 'UTC' }, 'b']]],
      ['one record fewer', [base[0] as RecipientEntry[], ['c', { openId: 'd', timezone: 'UTC' }]]],
      ['ab and c read as a and bc', [['ab', 'c'], []]],
    ];
    const { digest: abc } = read([['a', 'bc'], []]);
    for (const [what, batches] of others) expect(read(batches).digest, what).not.toBe(what === 'ab and c read as a and bc' ? abc : digest);
  });

  it('a digest of another encoding (an older checkpoint) is not comparable', () => {
    expect(ReadLedger.comparable('0123456789abcdef0123456789abcdef')).toBe(false);
  });
});
