import { describe, it, expect } from 'vitest';
import { resolveTiming, type SendOptions } from '../../src/producer/send-options.js';
import { ValidationError, type FieldIssue } from '../../src/shared/errors.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The issues resolveTiming refused the options with. */
function refusal(options: SendOptions, maxLatenessMs = HOUR): readonly FieldIssue[] {
  try {
    resolveTiming(options, NOW, maxLatenessMs);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('resolveTiming: accepted', () => {
  const cases: { name: string; options: SendOptions; expected: Omit<ReturnType<typeof resolveTiming>, 'given'> }[] = [
    { name: 'defaults: now, deadline after the max lateness', options: {}, expected: { sendAt: NOW, deadline: NOW + HOUR } },
    {
      name: 'sendAt as a Date',
      options: { sendAt: new Date(NOW + 10_000) },
      expected: { sendAt: NOW + 10_000, deadline: NOW + 10_000 + HOUR },
    },
    {
      name: 'sendAt as an ISO instant',
      options: { sendAt: '2026-06-01T15:00:00+03:00' },
      expected: { sendAt: NOW, deadline: NOW + HOUR },
    },
    {
      name: 'sendAt as wall clock plus timezone',
      options: { sendAt: '2026-06-02T09:00', timezone: 'Asia/Riyadh' },
      expected: { sendAt: Date.parse('2026-06-02T06:00:00Z'), deadline: Date.parse('2026-06-02T07:00:00Z') },
    },
    { name: 'expiresIn as a duration', options: { expiresIn: '30m' }, expected: { sendAt: NOW, deadline: NOW + 30 * 60_000 } },
    { name: 'expiresIn as ms', options: { expiresIn: 5_000 }, expected: { sendAt: NOW, deadline: NOW + 5_000 } },
    {
      name: 'expiresIn counts from sendAt',
      options: { sendAt: new Date(NOW + HOUR), expiresIn: '2h' },
      expected: { sendAt: NOW + HOUR, deadline: NOW + 3 * HOUR },
    },
    {
      name: 'an absolute deadline',
      options: { deadline: '2026-06-01T18:00:00Z' },
      expected: { sendAt: NOW, deadline: Date.parse('2026-06-01T18:00:00Z') },
    },
    {
      name: 'a sendAt in the past but inside its lateness window still goes',
      options: { sendAt: new Date(NOW - 10 * 60_000) },
      expected: { sendAt: NOW - 10 * 60_000, deadline: NOW + 50 * 60_000 },
    },
    {
      name: 'a deadline exactly at the one-year horizon',
      options: { deadline: new Date(NOW + 365 * 24 * HOUR) },
      expected: { sendAt: NOW, deadline: NOW + 365 * 24 * HOUR },
    },
    {
      name: 'the idempotency key is passed through',
      options: { idempotencyKey: 'order-1042-shipped' },
      expected: { sendAt: NOW, deadline: NOW + HOUR, idempotencyKey: 'order-1042-shipped' },
    },
  ];

  it.each(cases)('$name', ({ options, expected }) => {
    const { given: _given, ...timing } = resolveTiming(options, NOW, HOUR);
    expect(timing).toStrictEqual(expected);
  });

  it('uses the configured max lateness as the default window', () => {
    expect(resolveTiming({}, NOW, 5 * 60_000).deadline).toBe(NOW + 5 * 60_000);
  });
});

describe('resolveTiming: refused', () => {
  const cases: { name: string; options: SendOptions; issues: FieldIssue[] }[] = [
    { name: 'expiresIn 1e308 (beyond the one-year horizon)', options: { expiresIn: 1e308 }, issues: [{ field: 'expiresIn', rule: 'must be at most one year (365d)' }] },
    { name: 'expiresIn 99999999999d', options: { expiresIn: '99999999999d' }, issues: [{ field: 'expiresIn', rule: 'must be at most one year (365d)' }] },
    { name: 'a sendAt two years ahead', options: { sendAt: '2028-06-01T12:00:00Z' }, issues: [{ field: 'sendAt', rule: 'must be at most one year (365 days) from now' }] },
    {
      name: 'a deadline beyond the horizon',
      options: { deadline: '2027-06-02T12:00:00Z' },
      issues: [{ field: 'deadline', rule: 'puts the deadline beyond the horizon: it must be at most one year (365 days) from now' }],
    },
    {
      name: 'sendAt near the horizon plus expiresIn beyond it',
      options: { sendAt: new Date(NOW + 364 * 24 * HOUR), expiresIn: '2d' },
      issues: [{ field: 'expiresIn', rule: 'puts the deadline beyond the horizon: it must be at most one year (365 days) from now' }],
    },
    {
      name: 'expiresIn and deadline together',
      options: { expiresIn: '30m', deadline: '2026-06-01T18:00:00Z' },
      issues: [{ field: 'deadline', rule: 'use either expiresIn or deadline, not both' }],
    },
    { name: 'an unknown option', options: { sendAtt: 'x' } as SendOptions, issues: [{ field: '', rule: 'unknown option(s) sendAtt' }] },
    {
      name: 'a time past its lateness window, naming sendAt',
      options: { sendAt: new Date(NOW - 2 * HOUR) },
      issues: [{ field: 'sendAt', rule: `is already past its lateness window (deadline ${iso(NOW - HOUR)} is before now)` }],
    },
    {
      name: 'a wall-clock time past its window',
      options: { sendAt: '2026-06-01T09:00', timezone: 'Asia/Riyadh', expiresIn: '1h' },
      issues: [{ field: 'sendAt', rule: 'is already past its lateness window (deadline 2026-06-01T07:00:00.000Z is before now)' }],
    },
    {
      name: 'a deadline already past, naming deadline',
      options: { deadline: new Date(NOW - 1) },
      issues: [{ field: 'deadline', rule: 'must not be before sendAt' }],
    },
    {
      name: 'a deadline before sendAt',
      options: { sendAt: new Date(NOW + 2 * HOUR), deadline: new Date(NOW + HOUR) },
      issues: [{ field: 'deadline', rule: 'must not be before sendAt' }],
    },
    {
      name: 'a deadline exactly now',
      options: { deadline: new Date(NOW) },
      issues: [{ field: 'deadline', rule: `is already past its lateness window (deadline ${iso(NOW)} is before now)` }],
    },
    { name: 'timezone without sendAt', options: { timezone: 'Asia/Riyadh' }, issues: [{ field: 'timezone', rule: 'is only meaningful with sendAt' }] },
    {
      name: 'an unknown timezone, naming timezone',
      options: { sendAt: '2026-06-02T09:00', timezone: 'Asia/Atlantis' },
      issues: [{ field: 'timezone', rule: 'unknown time zone "Asia/Atlantis"' }],
    },
    {
      name: 'a wall clock without timezone',
      options: { sendAt: '2026-06-02T09:00' },
      issues: [{ field: 'sendAt', rule: 'must be an ISO-8601 instant with Z or an offset, or a wall-clock time with a timezone' }],
    },
    {
      name: 'expiresIn that is not a duration',
      options: { expiresIn: 'soon' },
      issues: [{ field: 'expiresIn', rule: 'must be a positive duration like 30m, 2h or ms' }],
    },
    { name: 'expiresIn of zero', options: { expiresIn: '0s' }, issues: [{ field: 'expiresIn', rule: 'must be a positive duration like 30m, 2h or ms' }] },
    { name: 'a negative expiresIn', options: { expiresIn: -5 }, issues: [{ field: 'expiresIn', rule: 'must be a positive duration like 30m, 2h or ms' }] },
    { name: 'expiresIn of another type', options: { expiresIn: true } as unknown as SendOptions, issues: [{ field: 'expiresIn', rule: 'must be a duration like 30m or ms' }] },
    { name: 'an empty idempotencyKey', options: { idempotencyKey: '' }, issues: [{ field: 'idempotencyKey', rule: 'must not be empty' }] },
    {
      name: 'an idempotencyKey over 256 characters',
      options: { idempotencyKey: 'k'.repeat(257) },
      issues: [{ field: 'idempotencyKey', rule: 'must be at most 256 characters' }],
    },
    { name: 'sendAt of the wrong type', options: { sendAt: 5 } as unknown as SendOptions, issues: [{ field: 'sendAt', rule: 'must be a Date or an ISO-8601 string' }] },
  ];

  it.each(cases)('$name', ({ options, issues }) => {
    expect(refusal(options)).toEqual(issues);
  });

  it('names the field in the message', () => {
    expect(() => resolveTiming({ sendAt: new Date(NOW - 2 * HOUR) }, NOW, HOUR)).toThrow(
      /^Invalid send options: sendAt: is already past its lateness window/,
    );
  });
});
