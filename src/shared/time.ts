import { DateTime, IANAZone } from 'luxon';

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const WALL_CLOCK = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const WITH_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * A wall-clock time that happens twice (clocks going back) resolves to the earlier instant. luxon alone
 * is inconsistent here: it picks the later one in Europe/Berlin and the earlier one in Australia/Lord_Howe.
 */
function earliest(dt: DateTime): DateTime {
  if (!dt.isValid) return dt;
  return dt.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), dt);
}

export type InstantResult = { ok: true; ms: number } | { ok: false; rule: string };

/**
 * An instant from a Date, an ISO-8601 instant with offset (`2026-12-01T09:00:00Z`), or a wall-clock
 * time (`2026-12-01T09:00`) in an IANA zone. A wall-clock time that falls in a daylight-saving gap is moved
 * forward by the gap, as luxon does; an ambiguous one (clocks going back) takes the earlier instant.
 */
export function resolveInstant(value: Date | string, timezone?: string): InstantResult {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, rule: 'must be a valid date' };
    if (timezone !== undefined) return { ok: false, rule: 'must be a wall-clock string like 2026-12-01T09:00 when timezone is set' };
    return { ok: true, ms: value.getTime() };
  }
  const text = value.trim();
  if (timezone !== undefined) {
    if (!isValidTimeZone(timezone)) return { ok: false, rule: `unknown time zone "${timezone}"` };
    if (!WALL_CLOCK.test(text))
      return { ok: false, rule: 'must be a wall-clock time like 2026-12-01T09:00 (no offset) when timezone is set' };
    const dt = earliest(DateTime.fromISO(text.replace(' ', 'T'), { zone: timezone }));
    return dt.isValid ? { ok: true, ms: dt.toMillis() } : { ok: false, rule: `is not a valid time (${dt.invalidExplanation})` };
  }
  if (!WITH_OFFSET.test(text))
    return { ok: false, rule: 'must be an ISO-8601 instant with Z or an offset, or a wall-clock time with a timezone' };
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? { ok: true, ms: dt.toMillis() } : { ok: false, rule: `is not a valid ISO-8601 time (${dt.invalidExplanation})` };
}

/**
 * The next instant at which the wall clock in `zone` reads `hh:mm`, at or after `now`: today if that is
 * still ahead, else tomorrow. Computed on the calendar date, so it stays right across DST changes.
 */
export function nextLocalTime(hhmm: string, zone: string, now: number): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) throw new RangeError(`local time must be HH:MM, got "${hhmm}"`);
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  // luxon would roll 25:00 over into the next day and return NaN for an unknown zone, both silently.
  if (hour > 23 || minute > 59) throw new RangeError(`local time must be HH:MM from 00:00 to 23:59, got "${hhmm}"`);
  if (!isValidTimeZone(zone)) throw new RangeError(`unknown time zone "${zone}"`);
  const today = DateTime.fromMillis(now, { zone });
  let candidate = earliest(today.set({ hour, minute, second: 0, millisecond: 0 }));
  if (candidate.toMillis() < now) {
    candidate = earliest(today.plus({ days: 1 }).set({ hour, minute, second: 0, millisecond: 0 }));
  }
  return candidate.toMillis();
}
