import { describe, expect, it } from 'vitest';
import { quietHoursEnd, type QuietHours } from '../../src/producer/quiet-hours.js';

const at = (iso: string) => Date.parse(iso);
const NIGHT: QuietHours = { from: '22:00', to: '08:00' };
const LUNCH: QuietHours = { from: '12:00', to: '14:00' };

describe('quietHoursEnd', () => {
  // 2026: Europe springs forward on Sunday 29 March (02:00 -> 03:00) and falls back on Sunday 25 October
  // (03:00 -> 02:00); the US springs forward on 8 March and falls back on 1 November.
  const cases: { name: string; at: string; zone: string; window: QuietHours; expected: string | undefined }[] = [
    { name: 'outside a wrapping window', at: '2026-06-10T10:00:00Z', zone: 'Europe/Berlin', window: NIGHT, expected: undefined },
    { name: 'after from, before midnight: next morning', at: '2026-06-10T21:30:00Z', zone: 'Europe/Berlin', window: NIGHT, expected: '2026-06-11T06:00:00Z' },
    { name: 'after midnight: the same morning', at: '2026-06-11T01:00:00Z', zone: 'Europe/Berlin', window: NIGHT, expected: '2026-06-11T06:00:00Z' },
    { name: 'exactly at from is inside', at: '2026-06-10T20:00:00Z', zone: 'Europe/Berlin', window: NIGHT, expected: '2026-06-11T06:00:00Z' },
    { name: 'exactly at to is outside', at: '2026-06-11T06:00:00Z', zone: 'Europe/Berlin', window: NIGHT, expected: undefined },
    { name: 'one second before to is inside', at: '2026-06-11T05:59:59Z', zone: 'Europe/Berlin', window: NIGHT, expected: '2026-06-11T06:00:00Z' },
    { name: 'a window that does not wrap: inside', at: '2026-06-10T11:15:00Z', zone: 'Europe/Berlin', window: LUNCH, expected: '2026-06-10T12:00:00Z' },
    { name: 'a window that does not wrap: before it', at: '2026-06-10T09:59:00Z', zone: 'Europe/Berlin', window: LUNCH, expected: undefined },
    { name: 'a window that does not wrap: after it', at: '2026-06-10T12:00:00Z', zone: 'Europe/Berlin', window: LUNCH, expected: undefined },
    { name: 'the same instant is outside in another zone (Riyadh 13:00)', at: '2026-06-10T10:00:00Z', zone: 'Asia/Riyadh', window: NIGHT, expected: undefined },
    { name: 'and inside in New York (06:00 EDT)', at: '2026-06-10T10:00:00Z', zone: 'America/New_York', window: NIGHT, expected: '2026-06-10T12:00:00Z' },
    {
      name: 'Berlin, the night clocks go forward: 08:00 CEST is 06:00Z (a night of 9 hours)',
      at: '2026-03-28T22:00:00Z',
      zone: 'Europe/Berlin',
      window: NIGHT,
      expected: '2026-03-29T06:00:00Z',
    },
    {
      name: 'Berlin, the night clocks go back: 08:00 CET is 07:00Z (a night of 11 hours)',
      at: '2026-10-24T21:00:00Z',
      zone: 'Europe/Berlin',
      window: NIGHT,
      expected: '2026-10-25T07:00:00Z',
    },
    {
      name: 'Berlin, a window ending at 02:30 on the spring-forward day (no such time): 03:00 CEST, the first instant after the gap',
      at: '2026-03-28T23:30:00Z',
      zone: 'Europe/Berlin',
      window: { from: '00:00', to: '02:30' },
      expected: '2026-03-29T01:00:00Z',
    },
    {
      name: 'Berlin, a window ending at 02:30 on the fall-back day, first pass: 02:30 CEST',
      at: '2026-10-24T23:00:00Z',
      zone: 'Europe/Berlin',
      window: { from: '00:00', to: '02:30' },
      expected: '2026-10-25T00:30:00Z',
    },
    {
      name: 'Berlin, the same window on its second pass (02:10 CET): 02:30 CET, not the earlier 02:30 CEST',
      at: '2026-10-25T01:10:00Z',
      zone: 'Europe/Berlin',
      window: { from: '00:00', to: '02:30' },
      expected: '2026-10-25T01:30:00Z',
    },
    {
      name: 'New York, the night clocks go forward: 08:00 EDT',
      at: '2026-03-08T04:00:00Z',
      zone: 'America/New_York',
      window: NIGHT,
      expected: '2026-03-08T12:00:00Z',
    },
    {
      name: 'New York, 23:00 EDT before falling back: 08:00 EST next morning',
      at: '2026-11-01T03:00:00Z',
      zone: 'America/New_York',
      window: NIGHT,
      expected: '2026-11-01T13:00:00Z',
    },
    { name: 'Kathmandu (UTC+5:45) at 23:00', at: '2026-06-10T17:15:00Z', zone: 'Asia/Kathmandu', window: NIGHT, expected: '2026-06-11T02:15:00Z' },
  ];
  it.each(cases)('$name', ({ at: when, zone, window, expected }) => {
    expect(quietHoursEnd(at(when), zone, window)).toBe(expected === undefined ? undefined : at(expected));
  });

  it('refuses an empty window, a bad time and an unknown zone', () => {
    expect(() => quietHoursEnd(0, 'UTC', { from: '08:00', to: '08:00' })).toThrow(/same time/);
    expect(() => quietHoursEnd(0, 'UTC', { from: '24:00', to: '08:00' })).toThrow(/HH:MM/);
    expect(() => quietHoursEnd(0, 'Mars/Olympus', NIGHT)).toThrow(/time zone/);
  });
});
