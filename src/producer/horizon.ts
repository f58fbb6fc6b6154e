import { z } from 'zod';
import type { FieldIssue } from '../shared/errors.js';
import { parseDuration } from '../shared/duration.js';

/**
 * How far ahead anything may be sent or expire: one year. Beyond it is a mistake (`expiresIn: 1e308`,
 * `--expires-in 99999999999d`), not a plan, and such an instant cannot even be printed as a date; it is
 * refused at the edge rather than queued and dead-lettered. Send options, schedules and campaigns share it.
 */
export const HORIZON_MS = 365 * 86_400_000;
export const HORIZON_RULE = 'must be at most one year (365 days) from now';

/** False for an instant beyond the horizon, and for NaN. */
export function withinHorizon(ms: number, now: number): boolean {
  return ms <= now + HORIZON_MS;
}

/** `expiresIn` as send and campaigns take it: a duration string (`30m`, `2h`) or a number of ms. */
export const ExpiresInSchema = z.union([z.string().min(1), z.number().positive('must be a positive duration like 30m, 2h or ms')], {
  error: 'must be a duration like 30m or ms',
});

/** `expiresIn` to ms, or an issue on `field` (not positive, not a duration, or beyond the horizon). */
export function parseExpiresIn(value: string | number, issues: FieldIssue[], field = 'expiresIn'): number | undefined {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) issues.push({ field, rule: 'must be a positive duration like 30m, 2h or ms' });
  else if (ms > HORIZON_MS) issues.push({ field, rule: 'must be at most one year (365d)' });
  else return ms;
  return undefined;
}
