import { DateTime } from 'luxon';

/** A daily window of wall-clock times (`HH:MM`) in which nobody is sent to; `from` > `to` wraps midnight. */
export interface QuietHours {
  from: string;
  to: string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

function minutesOf(hhmm: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new RangeError(`quiet hours must be HH:MM from 00:00 to 23:59, got "${hhmm}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The wall clock of an instant in its zone, as if it were UTC: comparable with other wall-clock times. */
const wallMs = (dt: DateTime) => dt.toMillis() + dt.offset * MINUTE_MS;

/**
 * The first instant at or after `notBefore` whose wall clock in `zone` reads at least `wall` (a wall-clock
 * time as UTC ms). That is the time itself on an ordinary day; the earlier of the two when clocks go back
 * (but not before `notBefore`); and the first instant after the gap when clocks go forward over it (luxon
 * alone would move 02:30 to 03:30 in Europe/Berlin, half an hour after the window really ended).
 */
function firstInstantAtWall(wall: number, zone: string, notBefore: number): number {
  const wanted = DateTime.fromMillis(wall, { zone: 'utc' });
  const dt = DateTime.fromObject(
    { year: wanted.year, month: wanted.month, day: wanted.day, hour: wanted.hour, minute: wanted.minute },
    { zone },
  );
  if (wallMs(dt) === wall) {
    const candidates = dt
      .getPossibleOffsets()
      .map((o) => o.toMillis())
      .filter((ms) => ms >= notBefore)
      .sort((a, b) => a - b);
    return candidates[0] ?? dt.toMillis();
  }
  // In a gap: the wall clock jumps past `wall` somewhere in the few hours before luxon's answer.
  let lo = dt.toMillis() - 3 * 60 * MINUTE_MS;
  let hi = dt.toMillis();
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(DateTime.fromMillis(mid, { zone })) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * When a delivery due at `at` may go out under quiet hours, on the wall clock of `zone`: undefined when `at`
 * is outside the window, else the window's end (`to`) on that calendar day in that zone, or on the next day
 * when the window wraps midnight and `at` is before midnight. Pure; the window includes `from`, not `to`.
 */
export function quietHoursEnd(at: number, zone: string, window: QuietHours): number | undefined {
  const from = minutesOf(window.from) * MINUTE_MS;
  const to = minutesOf(window.to) * MINUTE_MS;
  if (from === to) throw new RangeError('quiet hours must not start and end at the same time');
  const local = DateTime.fromMillis(at, { zone });
  if (!local.isValid) throw new RangeError(`unknown time zone "${zone}"`);
  const wall = wallMs(local);
  const day = Math.floor(wall / DAY_MS) * DAY_MS;
  const t = wall - day;
  const wraps = from > to;
  const inside = wraps ? t >= from || t < to : t >= from && t < to;
  if (!inside) return undefined;
  const endDay = wraps && t >= from ? day + DAY_MS : day;
  return firstInstantAtWall(endDay + to, zone, at);
}
