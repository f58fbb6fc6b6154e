import { describe, expect, it } from 'vitest';
import { resolveSchedule, type ScheduleOptions } from '../../src/producer/schedule-options.js';
import { ValidationError } from '../../src/shared/errors.js';

const NOW = Date.parse('2026-06-01T12:00:00Z'); // a Monday

function issuesOf(id: unknown, options: unknown): string[] {
  try {
    resolveSchedule(id, options as ScheduleOptions, NOW);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.field}: ${i.rule}`);
    throw error;
  }
  return [];
}

describe('resolveSchedule', () => {
  it('Mondays at 09:00 in Riyadh: the next firing is read in that zone', () => {
    expect(resolveSchedule('weekly', { cron: '0 9 * * 1', timezone: 'Asia/Riyadh' }, NOW)).toEqual({
      pattern: '0 9 * * 1',
      tz: 'Asia/Riyadh',
      next: Date.parse('2026-06-08T06:00:00Z'),
    });
  });

  it('startDate moves the first firing; endDate is kept', () => {
    const r = resolveSchedule('w', { cron: '0 9 * * *', timezone: 'UTC', startDate: '2026-07-01T00:00:00Z', endDate: new Date('2026-08-01T00:00:00Z') }, NOW);
    expect(r).toMatchObject({ startDate: Date.parse('2026-07-01T00:00:00Z'), endDate: Date.parse('2026-08-01T00:00:00Z'), next: Date.parse('2026-07-01T09:00:00Z') });
  });

  const bad: { name: string; id?: unknown; options: Record<string, unknown>; expected: string[] }[] = [
    {
      name: 'a misspelt zone',
      options: { cron: '0 9 * * 1', timezone: 'Asia/Ryadh' },
      expected: ['timezone: unknown time zone "Asia/Ryadh"'],
    },
    {
      name: 'no zone',
      options: { cron: '0 9 * * 1' },
      expected: ['timezone: is required (an IANA zone such as Asia/Riyadh)'],
    },
    {
      name: 'minute 61',
      options: { cron: '61 9 * * 1', timezone: 'UTC' },
      expected: ['cron: "61 9 * * 1" is not a valid cron expression: Constraint error, got value 61 expected range 0-59'],
    },
    {
      name: 'six fields (seconds)',
      options: { cron: '*/5 * * * * *', timezone: 'UTC' },
      expected: ['cron: must have five fields (minute hour day-of-month month day-of-week), got "*/5 * * * * *"'],
    },
    {
      name: 'words',
      options: { cron: 'every monday', timezone: 'UTC' },
      expected: ['cron: must have five fields (minute hour day-of-month month day-of-week), got "every monday"'],
    },
    {
      name: 'an empty expression',
      options: { cron: ' ', timezone: 'UTC' },
      expected: ['cron: is required: five fields, minute hour day-of-month month day-of-week, e.g. "0 9 * * 1"'],
    },
    {
      name: '31 February',
      options: { cron: '0 9 31 2 *', timezone: 'UTC' },
      expected: ['cron: "0 9 31 2 *" is not a valid cron expression: Invalid explicit day of month definition'],
    },
    {
      name: 'an end date already past',
      options: { cron: '0 9 * * *', timezone: 'UTC', endDate: '2026-05-01T00:00:00Z' },
      expected: ['endDate: is already past'],
    },
    {
      name: 'an end before the start',
      options: { cron: '0 9 * * *', timezone: 'UTC', startDate: '2026-09-01T00:00:00Z', endDate: '2026-08-01T00:00:00Z' },
      expected: ['endDate: must be after startDate'],
    },
    {
      name: 'a window with no firing in it',
      options: { cron: '0 9 1 1 *', timezone: 'UTC', endDate: '2026-12-01T00:00:00Z' },
      expected: ['endDate: no firing of "0 9 1 1 *" falls before it (the next is 2027-01-01T09:00:00.000Z)'],
    },
    {
      name: 'a start date without offset',
      options: { cron: '0 9 * * *', timezone: 'UTC', startDate: '2026-07-01T09:00' },
      expected: ['startDate: must be an ISO-8601 instant with Z or an offset, or a wall-clock time with a timezone'],
    },
    {
      name: 'an id with a colon, and an unknown option',
      id: 'a:b',
      options: { cron: '0 9 * * *', timezone: 'UTC', every: 1000 },
      expected: ['id: must be 1 to 100 letters, digits, _ . - (starting with a letter or digit)', ': unknown option(s) every'],
    },
  ];
  it.each(bad)('refuses $name, naming the field', ({ id, options, expected }) => {
    expect(issuesOf(id ?? 'weekly', options)).toEqual(expected);
  });

  it('refuses a startDate beyond the one-year horizon', () => {
    expect(issuesOf('w', { cron: '0 9 * * *', timezone: 'UTC', startDate: '2027-06-02T12:00:00Z' })).toEqual([
      'startDate: must be at most one year (365 days) from now',
    ]);
  });
});
