import { describe, expect, it } from 'vitest';
import { DATE_PATHS, showDates, unshowDates } from '../../src/dashboard/shown-dates.js';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE } from '../../src/shared/queue-names.js';

const T1 = Date.UTC(2026, 11, 24, 18, 0, 0);
const T2 = T1 + 3_600_000;

describe('dates shown by the dashboard', () => {
  it('shows a delivery’s sendAt and deadline as ISO-8601 and reads them back as ms', () => {
    const data = { v: 1, sendAt: T1, deadline: T2, notification: { title: 'x' } };
    const shown = showDates(data, DATE_PATHS[DELIVERY_QUEUE]!);
    expect(shown).toEqual({ v: 1, sendAt: '2026-12-24T18:00:00.000Z', deadline: '2026-12-24T19:00:00.000Z', notification: { title: 'x' } });
    expect(data.sendAt).toBe(T1);
    expect(unshowDates(shown, DATE_PATHS[DELIVERY_QUEUE]!)).toEqual(data);
  });

  it('reaches the delivery inside a dead letter', () => {
    const data = { reason: 'expired', queuedAt: T1, failedAt: T2, delivery: { sendAt: T1, deadline: T2, deliveryKey: 'k' } };
    const shown = showDates(data, DATE_PATHS[DEAD_LETTER_QUEUE]!) as typeof data & { delivery: Record<string, unknown> };
    expect(shown.failedAt).toBe('2026-12-24T19:00:00.000Z');
    expect(shown.delivery).toEqual({ sendAt: '2026-12-24T18:00:00.000Z', deadline: '2026-12-24T19:00:00.000Z', deliveryKey: 'k' });
    expect(unshowDates(shown, DATE_PATHS[DEAD_LETTER_QUEUE]!)).toEqual(data);
  });

  it('leaves alone what is not a date where one is expected, and data that is not an object', () => {
    const paths = DATE_PATHS[DELIVERY_QUEUE]!;
    expect(showDates({ sendAt: 'soon' }, paths)).toEqual({ sendAt: 'soon' });
    expect(unshowDates({ sendAt: 'tomorrow', deadline: 5 }, paths)).toEqual({ sendAt: 'tomorrow', deadline: 5 });
    for (const odd of [null, undefined, 7, 'text', [T1]]) expect(showDates(odd, paths)).toEqual(odd);
    expect(showDates({ v: 1 }, paths)).toEqual({ v: 1 });
  });
});
