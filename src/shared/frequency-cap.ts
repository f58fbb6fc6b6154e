import { z } from 'zod';
import { parseDuration } from './duration.js';
import type { FieldIssue } from './errors.js';

/**
 * A per-user frequency cap as the worker applies it: at most `max` capped notifications to one openId in
 * any rolling window of `perMs`. Carried on each delivery job it applies to.
 */
export interface FrequencyCap {
  max: number;
  perMs: number;
}

/** What callers write: `{ max: 2, per: '24h' }`; `true` is the deployment default, `false` no cap. */
export type FrequencyCapInput = { max: number; per: string | number } | boolean;

export const FREQUENCY_CAP_LIMITS = { maxMin: 1, maxMax: 1_000, perMinMs: 60_000, perMaxMs: 30 * 86_400_000 } as const;

export const MAX_RULE = `must be a whole number from ${FREQUENCY_CAP_LIMITS.maxMin} to ${FREQUENCY_CAP_LIMITS.maxMax}`;
export const PER_RULE = 'must be a duration from 1m to 30d, e.g. 24h or 7d';
export const CAP_TEXT_RULE = 'must be N/duration, e.g. 2/24h (N from 1 to 1000, duration from 1m to 30d)';

function checkMax(max: unknown): string | undefined {
  return Number.isInteger(max) && (max as number) >= FREQUENCY_CAP_LIMITS.maxMin && (max as number) <= FREQUENCY_CAP_LIMITS.maxMax
    ? undefined
    : MAX_RULE;
}

function perMsOf(per: unknown): number | undefined {
  if (typeof per !== 'string' && typeof per !== 'number') return undefined;
  const ms = parseDuration(per);
  return ms !== undefined && ms >= FREQUENCY_CAP_LIMITS.perMinMs && ms <= FREQUENCY_CAP_LIMITS.perMaxMs ? ms : undefined;
}

/** `{ max, per }` to a cap, or the issues naming `field.max` / `field.per`. */
export function parseCapObject(input: { max?: unknown; per?: unknown }, field: string): FrequencyCap | FieldIssue[] {
  const issues: FieldIssue[] = [];
  const maxRule = checkMax(input.max);
  if (maxRule) issues.push({ field: `${field}.max`, rule: maxRule });
  const perMs = perMsOf(input.per);
  if (perMs === undefined) issues.push({ field: `${field}.per`, rule: PER_RULE });
  return issues.length > 0 ? issues : { max: input.max as number, perMs: perMs as number };
}

/** `2/24h` (the CLI flag, NEUPUSH_FREQUENCY_CAP) to `{ max, per }` as written; undefined when it is not N/duration. */
export function splitCapText(text: string): { max: number; per: string } | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(text);
  return m ? { max: Number(m[1]), per: m[2] as string } : undefined;
}

/** `2/24h` to a cap; undefined for anything out of form or range. */
export function parseCapText(text: string): FrequencyCap | undefined {
  const split = splitCapText(text);
  if (!split) return undefined;
  const cap = parseCapObject(split, 'cap');
  return Array.isArray(cap) ? undefined : cap;
}

/** `2/24h` again, for status displays: the largest whole unit of the window (hours up to two days, as people say "24h"). */
export function formatCap(cap: FrequencyCap): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  const [unit, ms] = units.find(([u, ms]) => cap.perMs % ms === 0 && (u !== 'd' || cap.perMs > 2 * ms)) ?? ['ms', 1];
  return `${cap.max}/${cap.perMs / ms}${unit}`;
}

/**
 * The option's schema for documentation (HTTP, OpenAPI) and the envelope check; the limits are checked by
 * `resolveFrequencyCap`, which names `frequencyCap.max` / `frequencyCap.per`.
 */
export const FrequencyCapSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        max: z.number().int(MAX_RULE).min(FREQUENCY_CAP_LIMITS.maxMin, MAX_RULE).max(FREQUENCY_CAP_LIMITS.maxMax, MAX_RULE),
        per: z.union([z.string().min(1), z.number().positive()]).refine((p) => perMsOf(p) !== undefined, PER_RULE),
      }),
    ],
    { error: 'must be { max, per }, true (the NEUPUSH_FREQUENCY_CAP default) or false (no cap)' },
  )
  .meta({ description: 'Per-user frequency cap: { "max": 2, "per": "24h" } (max 1-1000, per 1m-30d); true: NEUPUSH_FREQUENCY_CAP; false: none' });

/**
 * The cap a delivery carries: the given one, the deployment's default for `true` (and, for campaigns and
 * schedule firings, for `undefined`), none for `false`. Issues name `field`.
 */
export function resolveFrequencyCap(
  input: unknown,
  deploymentDefault: FrequencyCap | undefined,
  whenAbsent: 'default' | 'none',
  field = 'frequencyCap',
): { cap?: FrequencyCap; issues: FieldIssue[] } {
  if (input === undefined) return whenAbsent === 'default' && deploymentDefault ? { cap: deploymentDefault, issues: [] } : { issues: [] };
  if (input === false) return { issues: [] };
  if (input === true) {
    if (deploymentDefault) return { cap: deploymentDefault, issues: [] };
    return { issues: [{ field, rule: 'is true, but no NEUPUSH_FREQUENCY_CAP default is set: give { max, per }' }] };
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { issues: [{ field, rule: 'must be { max, per }, true (the NEUPUSH_FREQUENCY_CAP default) or false (no cap)' }] };
  }
  const extra = Object.keys(input).filter((k) => k !== 'max' && k !== 'per');
  if (extra.length > 0) return { issues: [{ field, rule: `unknown field(s) ${extra.join(', ')}` }] };
  const cap = parseCapObject(input, field);
  return Array.isArray(cap) ? { issues: cap } : { cap, issues: [] };
}
