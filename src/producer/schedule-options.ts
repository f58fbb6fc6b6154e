import { CronExpressionParser } from 'cron-parser';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { IDS, idIssue } from '../shared/ids.js';
import { isValidTimeZone, resolveInstant } from '../shared/time.js';
import { HORIZON_RULE, withinHorizon } from './horizon.js';

export interface ScheduleOptions {
  /** Five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 9 * * 1`. */
  cron: string;
  /** IANA zone in which the cron expression is read, e.g. `Asia/Riyadh`. Required: servers' zones differ. */
  timezone: string;
  /**
   * No firing before this instant (Date or ISO-8601 with offset).
   * @defaultValue now
   */
  startDate?: Date | string;
  /**
   * No firing after this instant.
   * @defaultValue none (fires until removed)
   */
  endDate?: Date | string;
}

export interface ResolvedSchedule {
  pattern: string;
  tz: string;
  startDate?: number;
  endDate?: number;
  /** The first firing from now (or startDate). */
  next: number;
}

/**
 * Check a schedule ourselves rather than trust BullMQ: it accepts a misspelt zone on one path and the
 * schedule then never fires, or fires in the server's zone.
 */
export function resolveSchedule(id: unknown, options: ScheduleOptions, now: number): ResolvedSchedule {
  const issues: FieldIssue[] = [];
  const idProblem = idIssue(IDS.schedule, id, 'id');
  if (idProblem) issues.push(idProblem);
  const o = (options ?? {}) as Partial<ScheduleOptions>;
  const unknown = Object.keys(o).filter((k) => !['cron', 'timezone', 'startDate', 'endDate'].includes(k));
  if (unknown.length > 0) issues.push({ field: '', rule: `unknown option(s) ${unknown.join(', ')}` });

  const tzOk = typeof o.timezone === 'string' && isValidTimeZone(o.timezone);
  if (o.timezone === undefined) issues.push({ field: 'timezone', rule: 'is required (an IANA zone such as Asia/Riyadh)' });
  else if (!tzOk) issues.push({ field: 'timezone', rule: `unknown time zone ${JSON.stringify(o.timezone)}` });

  let cronOk = false;
  if (typeof o.cron !== 'string' || o.cron.trim() === '') {
    issues.push({ field: 'cron', rule: 'is required: five fields, minute hour day-of-month month day-of-week, e.g. "0 9 * * 1"' });
  } else if (o.cron.trim().split(/\s+/).length !== 5) {
    issues.push({ field: 'cron', rule: `must have five fields (minute hour day-of-month month day-of-week), got ${JSON.stringify(o.cron)}` });
  } else {
    try {
      CronExpressionParser.parse(o.cron, { tz: 'UTC' });
      cronOk = true;
    } catch (error) {
      issues.push({ field: 'cron', rule: `${JSON.stringify(o.cron)} is not a valid cron expression: ${(error as Error).message}` });
    }
  }

  const instant = (field: 'startDate' | 'endDate'): number | undefined => {
    const value = o[field];
    if (value === undefined) return undefined;
    if (!(value instanceof Date) && typeof value !== 'string') {
      issues.push({ field, rule: 'must be a Date or an ISO-8601 string' });
      return undefined;
    }
    const r = resolveInstant(value);
    if (!r.ok) issues.push({ field, rule: r.rule });
    return r.ok ? r.ms : undefined;
  };
  const startDate = instant('startDate');
  const endDate = instant('endDate');
  if (startDate !== undefined && !withinHorizon(startDate, now)) issues.push({ field: 'startDate', rule: HORIZON_RULE });
  if (endDate !== undefined && endDate <= now) issues.push({ field: 'endDate', rule: 'is already past' });
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) issues.push({ field: 'endDate', rule: 'must be after startDate' });

  let next = 0;
  if (issues.length === 0 && cronOk && tzOk) {
    const from = Math.max(now, startDate ?? now);
    next = CronExpressionParser.parse(o.cron as string, { tz: o.timezone as string, currentDate: new Date(from) }).next().getTime();
    if (!withinHorizon(next, now)) {
      issues.push({ field: 'cron', rule: `its first firing (${new Date(next).toISOString()}) ${HORIZON_RULE.replace('must be', 'must come')}` });
    } else if (endDate !== undefined && next > endDate) {
      issues.push({ field: 'endDate', rule: `no firing of "${o.cron}" falls before it (the next is ${new Date(next).toISOString()})` });
    }
  }
  if (issues.length > 0) throw new ValidationError('schedule', issues);
  return {
    pattern: (o.cron as string).trim(),
    tz: o.timezone as string,
    ...(startDate !== undefined && { startDate }),
    ...(endDate !== undefined && { endDate }),
    next,
  };
}
