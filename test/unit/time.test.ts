import { describe, it, expect } from 'vitest';
import { isValidTimeZone, nextLocalTime, resolveInstant, type InstantResult } from '../../src/shared/time.js';

const at = (iso: string) => Date.parse(iso);

describe('resolveInstant', () => {
  const cases: { name: string; value: Date | string; timezone?: string; expected: InstantResult }[] = [
    { name: 'a Date', value: new Date('2026-12-01T06:00:00Z'), expected: { ok: true, ms: at('2026-12-01T06:00:00Z') } },
    { name: 'ISO with Z', value: '2026-12-01T06:00:00Z', expected: { ok: true, ms: at('2026-12-01T06:00:00Z') } },
    { name: 'ISO with lowercase z and millis', value: '2026-12-01T06:00:00.250z', expected: { ok: true, ms: at('2026-12-01T06:00:00.250Z') } },
    { name: 'ISO with +03:00', value: '2026-12-01T09:00:00+03:00', expected: { ok: true, ms: at('2026-12-01T06:00:00Z') } },
    { name: 'ISO with -0500', value: '2026-12-01T01:00-0500', expected: { ok: true, ms: at('2026-12-01T06:00:00Z') } },
    { name: 'surrounding spaces are trimmed', value: ' 2026-12-01T06:00Z ', expected: { ok: true, ms: at('2026-12-01T06:00:00Z') } },
    {
      name: 'wall clock in Asia/Riyadh (UTC+3, no DST)',
      value: '2026-12-01T09:00',
      timezone: 'Asia/Riyadh',
      expected: { ok: true, ms: at('2026-12-01T06:00:00Z') },
    },
    {
      name: 'wall clock with a space and seconds',
      value: '2026-12-01 09:00:30',
      timezone: 'Asia/Riyadh',
      expected: { ok: true, ms: at('2026-12-01T06:00:30Z') },
    },
    {
      name: 'wall clock in America/New_York in winter (UTC-5)',
      value: '2026-01-15T08:00',
      timezone: 'America/New_York',
      expected: { ok: true, ms: at('2026-01-15T13:00:00Z') },
    },
    {
      name: 'wall clock in America/New_York in summer (UTC-4)',
      value: '2026-07-15T08:00',
      timezone: 'America/New_York',
      expected: { ok: true, ms: at('2026-07-15T12:00:00Z') },
    },
    {
      name: 'DST gap (Berlin 02:30 on 29 March 2026 does not exist): moved forward by the gap to 03:30 CEST',
      value: '2026-03-29T02:30',
      timezone: 'Europe/Berlin',
      expected: { ok: true, ms: at('2026-03-29T01:30:00Z') },
    },
    {
      name: 'DST overlap (Berlin 02:30 on 25 October 2026 happens twice): the earlier instant',
      value: '2026-10-25T02:30',
      timezone: 'Europe/Berlin',
      expected: { ok: true, ms: at('2026-10-25T00:30:00Z') },
    },
    {
      name: 'DST overlap in New York (01:30 on 1 November 2026): the earlier instant, EDT',
      value: '2026-11-01T01:30',
      timezone: 'America/New_York',
      expected: { ok: true, ms: at('2026-11-01T05:30:00Z') },
    },
    {
      name: 'DST overlap of 30 minutes (Lord Howe 01:45 on 5 April 2026): the earlier instant',
      value: '2026-04-05T01:45',
      timezone: 'Australia/Lord_Howe',
      expected: { ok: true, ms: at('2026-04-04T14:45:00Z') },
    },
    {
      name: 'unknown zone',
      value: '2026-12-01T09:00',
      timezone: 'Mars/Olympus',
      expected: { ok: false, rule: 'unknown time zone "Mars/Olympus"' },
    },
    {
      name: 'wall clock without a zone is refused (whose 09:00?)',
      value: '2026-12-01T09:00',
      expected: { ok: false, rule: 'must be an ISO-8601 instant with Z or an offset, or a wall-clock time with a timezone' },
    },
    {
      name: 'an offset together with a zone is refused',
      value: '2026-12-01T09:00Z',
      timezone: 'Asia/Riyadh',
      expected: { ok: false, rule: 'must be a wall-clock time like 2026-12-01T09:00 (no offset) when timezone is set' },
    },
    {
      name: 'a Date together with a zone is refused',
      value: new Date(0),
      timezone: 'UTC',
      expected: { ok: false, rule: 'must be a wall-clock string like 2026-12-01T09:00 when timezone is set' },
    },
    { name: 'an invalid Date', value: new Date('nope'), expected: { ok: false, rule: 'must be a valid date' } },
    {
      name: 'free text',
      value: 'tomorrow',
      expected: { ok: false, rule: 'must be an ISO-8601 instant with Z or an offset, or a wall-clock time with a timezone' },
    },
  ];

  it.each(cases)('$name', ({ value, timezone, expected }) => {
    expect(resolveInstant(value, timezone)).toStrictEqual(expected);
  });

  it.each([
    { value: '2026-02-30T09:00Z', timezone: undefined },
    { value: '2026-02-30T09:00', timezone: 'UTC' },
    { value: '2026-12-01T25:00', timezone: 'UTC' },
  ])('an impossible date or time is refused with the reason: $value', ({ value, timezone }) => {
    const r = resolveInstant(value, timezone);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.rule).toMatch(/^is not a valid (ISO-8601 )?time \(.+\)$/);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['Asia/Riyadh', true],
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Mars/Olympus', false],
    ['', false],
  ])('%s -> %s', (zone, expected) => {
    expect(isValidTimeZone(zone)).toBe(expected);
  });
});

describe('nextLocalTime', () => {
  const cases: { name: string; hhmm: string; zone: string; now: string; expected: string }[] = [
    { name: 'still ahead today', hhmm: '09:00', zone: 'Asia/Riyadh', now: '2026-06-01T05:00:00Z', expected: '2026-06-01T06:00:00Z' },
    { name: 'exactly now is today', hhmm: '09:00', zone: 'Asia/Riyadh', now: '2026-06-01T06:00:00Z', expected: '2026-06-01T06:00:00Z' },
    { name: 'already past: tomorrow', hhmm: '09:00', zone: 'Asia/Riyadh', now: '2026-06-01T06:00:00.001Z', expected: '2026-06-02T06:00:00Z' },
    {
      name: 'the local date, not the UTC date, decides "today"',
      hhmm: '01:00',
      zone: 'Asia/Riyadh',
      now: '2026-06-01T21:30:00Z',
      expected: '2026-06-01T22:00:00Z',
    },
    {
      name: 'Berlin, evening before spring-forward: tomorrow 09:00 is CEST (UTC+2)',
      hhmm: '09:00',
      zone: 'Europe/Berlin',
      now: '2026-03-28T20:00:00Z',
      expected: '2026-03-29T07:00:00Z',
    },
    {
      name: 'Berlin, evening before fall-back: tomorrow 09:00 is CET (UTC+1)',
      hhmm: '09:00',
      zone: 'Europe/Berlin',
      now: '2026-10-24T20:00:00Z',
      expected: '2026-10-25T08:00:00Z',
    },
    {
      name: 'Berlin, a time in the spring-forward gap moves forward by the gap',
      hhmm: '02:30',
      zone: 'Europe/Berlin',
      now: '2026-03-28T23:00:00Z',
      expected: '2026-03-29T01:30:00Z',
    },
    {
      name: 'Berlin, a time that happens twice on fall-back day: the first one',
      hhmm: '02:30',
      zone: 'Europe/Berlin',
      now: '2026-10-24T22:00:00Z',
      expected: '2026-10-25T00:30:00Z',
    },
    {
      name: 'Berlin, between the two 02:30s on fall-back day: not again today',
      hhmm: '02:30',
      zone: 'Europe/Berlin',
      now: '2026-10-25T00:45:00Z',
      expected: '2026-10-26T01:30:00Z',
    },
    {
      name: 'New York, evening before spring-forward: tomorrow 09:00 is EDT (UTC-4)',
      hhmm: '09:00',
      zone: 'America/New_York',
      now: '2026-03-08T01:00:00Z',
      expected: '2026-03-08T13:00:00Z',
    },
    {
      name: 'New York, after 09:00 on the day before fall-back: next is EST (UTC-5)',
      hhmm: '09:00',
      zone: 'America/New_York',
      now: '2026-10-31T14:00:00Z',
      expected: '2026-11-01T14:00:00Z',
    },
  ];

  it.each(cases)('$name', ({ hhmm, zone, now, expected }) => {
    expect(new Date(nextLocalTime(hhmm, zone, at(now))).toISOString()).toBe(new Date(at(expected)).toISOString());
  });

  it.each([
    { hhmm: '9:00', zone: 'UTC', message: 'local time must be HH:MM, got "9:00"' },
    { hhmm: '25:00', zone: 'UTC', message: 'local time must be HH:MM from 00:00 to 23:59, got "25:00"' },
    { hhmm: '09:60', zone: 'UTC', message: 'local time must be HH:MM from 00:00 to 23:59, got "09:60"' },
    { hhmm: '09:00', zone: 'Mars/Olympus', message: 'unknown time zone "Mars/Olympus"' },
  ])('refuses $hhmm in $zone', ({ hhmm, zone, message }) => {
    expect(() => nextLocalTime(hhmm, zone, 0)).toThrow(new RangeError(message));
  });
});
