import { InvalidArgumentError } from 'commander';
import { CAP_TEXT_RULE, parseCapObject, splitCapText } from '../shared/frequency-cap.js';

/**
 * Commander argument parsers. They throw InvalidArgumentError, which commander reports with the option's
 * name and main.ts turns into exit 2 (bad input).
 */
export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}.`);
    return n;
  };
}

export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0.');
  return n;
}

/** `22:00-08:00`: a campaign's quiet hours; the same rules as the library's (which checks them again). */
export function quietHours(value: string): { from: string; to: string } {
  const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(value.trim());
  const valid = (hhmm: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(hhmm);
  if (!match || !valid(match[1] as string) || !valid(match[2] as string)) {
    throw new InvalidArgumentError('must be HH:MM-HH:MM from 00:00 to 23:59, e.g. 22:00-08:00.');
  }
  if (match[1] === match[2]) throw new InvalidArgumentError('must start and end at different times.');
  return { from: match[1] as string, to: match[2] as string };
}

export const port = integer(0, 65_535);
export const httpStatus = integer(100, 599);

/**
 * `--frequency-cap N/duration` (2/24h) to the library's `{ max, per }`; `off` to `false` (no cap, not even
 * NEUPUSH_FREQUENCY_CAP's).
 */
export function frequencyCapFlag(value: string): { max: number; per: string } | false {
  if (value.trim() === 'off') return false;
  const split = splitCapText(value);
  if (!split) throw new InvalidArgumentError(`${CAP_TEXT_RULE}, or off.`);
  const checked = parseCapObject(split, 'cap');
  if (Array.isArray(checked)) throw new InvalidArgumentError(`${checked.map((i) => `${i.field.replace('cap.', '')} ${i.rule}`).join('; ')}.`);
  return split;
}
