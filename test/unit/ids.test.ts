import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/shared/errors.js';
import { assertId, assertIds, IDS, type IdKind } from '../../src/shared/ids.js';
import { idempotencyDigest } from '../../src/producer/idempotency.js';
import { firingNotificationId } from '../../src/shared/schedule-data.js';

const CASES: { kind: IdKind; good: string[]; bad: unknown[] }[] = [
  {
    kind: IDS.campaign,
    good: ['spring-sale', `cmp-${randomUUID()}`, `k-${idempotencyDigest('order-1').slice(-32)}`, 'a', 'A.b_c-9', 'x'.repeat(100)],
    bad: ['X:chunks', 'a b', 'a*', '?', '[a]', '-lead', '.hidden', '', 'x'.repeat(101), 'é', 42, undefined],
  },
  { kind: IDS.schedule, good: ['weekly', 'daily.9am'], bad: ['weekly:x', 'a\nb'] },
  {
    kind: IDS.notification,
    good: [`n-${randomUUID()}`, `k-${idempotencyDigest('order-1').slice(-32)}`],
    bad: ['n-1', 'k-xyz', `n-${randomUUID()}:x`, 'cmp-1'],
  },
  {
    kind: IDS.deadLetter,
    good: [`n-${randomUUID()}.0`, `n-${randomUUID()}.3.r2`, `c-${'x'.repeat(100)}.12.3`, `${firingNotificationId('weekly', Date.now())}.0`],
    bad: ['a:b', 'x*', '', 'x'.repeat(201)],
  },
];

describe('id patterns', () => {
  it.each(CASES)('$kind.what: ids neupush generates match, colons and globs do not', ({ kind, good, bad }) => {
    for (const id of good) expect(() => assertId(kind, id), id).not.toThrow();
    for (const id of bad) expect(() => assertId(kind, id), String(id)).toThrow(ValidationError);
  });

  it('names the field and the rule', () => {
    expect(() => assertId(IDS.campaign, 'X:chunks')).toThrow('Invalid campaign id: id: must be 1 to 100 letters, digits, _ . - (starting with a letter or digit)');
    try {
      assertIds(IDS.deadLetter, ['ok.0', 'a:b', 'fine', 'c*'], 'ids');
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['ids.1', 'ids.3']);
      return;
    }
    throw new Error('expected a ValidationError');
  });
});
