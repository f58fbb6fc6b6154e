import { z } from 'zod';
import { ACTIVITY_LIMITS } from '../neuxnet/activity.js';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { resolveInstant } from '../shared/time.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { HORIZON_RULE, withinHorizon } from './horizon.js';

const instant = z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' });
const objectError = (what: string) => (i: { code: string; keys?: string[] }) =>
  i.code === 'unrecognized_keys' ? `unknown ${what}(s) ${(i.keys ?? []).join(', ')}` : 'must be an object';

export const ShowActivityOptionsSchema = z.strictObject(
  {
    /**
     * When to show the card: a Date or an ISO instant with offset.
     * @defaultValue now
     */
    sendAt: instant.optional(),
    /**
     * How long the card is shown, in seconds (as the vendor takes it). Exactly one of `validityTime` and `until`.
     * @defaultValue none: one of the two is required
     */
    validityTime: z
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1 second')
      .max(ACTIVITY_LIMITS.validitySeconds, `must be at most ${ACTIVITY_LIMITS.validitySeconds} seconds (one year)`)
      .optional(),
    /**
     * The instant the card ends: its validity is computed when it is sent, so a card shown late still ends on
     * time; one whose `until` has passed by then is dead-lettered `expired`, never shown.
     * @defaultValue none
     */
    until: instant.optional(),
    /**
     * With `until`: also send the remove (status 0) at `until`.
     * @defaultValue `false`
     */
    remove: z.boolean({ error: 'must be true or false' }).optional(),
    /**
     * Schedule the card's remove (status 0) at this instant; from then on remove wins over the show.
     * @defaultValue none (the card ends with its validity)
     */
    removeAt: instant.optional(),
    /**
     * The same key again within NEUPUSH_DEDUP_TTL queues nothing new and gives the same activityId.
     * @defaultValue none (every call queues)
     */
    idempotencyKey: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
  },
  { error: objectError('option') },
);

export type ShowActivityOptions = z.input<typeof ShowActivityOptionsSchema>;

export const RemoveActivityOptionsSchema = z.strictObject(
  {
    /**
     * When to remove the card.
     * @defaultValue now
     */
    sendAt: instant.optional(),
    /**
     * The card's fields, sent again with status 0 (the spec requires them on a remove too).
     * @defaultValue the card neupush stored when it showed this activityId
     */
    card: z.unknown().optional(),
    /**
     * The same key again within NEUPUSH_DEDUP_TTL queues nothing new.
     * @defaultValue none
     */
    idempotencyKey: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
  },
  { error: objectError('option') },
);

export type RemoveActivityOptions = z.input<typeof RemoveActivityOptionsSchema>;

export interface ShowTiming {
  sendAt: number;
  deadline: number;
  validityTime?: number;
  until?: number;
  removeAt?: number;
  idempotencyKey?: string;
}

function instantIssue(value: Date | string, field: string, now: number, issues: FieldIssue[]): number | undefined {
  const r = resolveInstant(value);
  if (!r.ok) issues.push({ field, rule: r.rule });
  else if (!withinHorizon(r.ms, now)) issues.push({ field, rule: HORIZON_RULE });
  else return r.ms;
  return undefined;
}

/** When a show goes out, how long it lasts, when it is removed; what is already too late is refused. */
export function resolveShowTiming(options: ShowActivityOptions, now: number, maxLatenessMs: number): ShowTiming {
  const o = parseOrThrow(ShowActivityOptionsSchema, options, 'activity options');
  const issues: FieldIssue[] = [];
  const sendAt = o.sendAt === undefined ? now : (instantIssue(o.sendAt, 'sendAt', now, issues) ?? now);
  if (o.validityTime === undefined && o.until === undefined) issues.push({ field: 'validityTime', rule: 'is required unless until is given (one of the two)' });
  if (o.validityTime !== undefined && o.until !== undefined) issues.push({ field: 'until', rule: 'use either validityTime or until, not both' });
  const until = o.until === undefined ? undefined : instantIssue(o.until, 'until', now, issues);
  if (until !== undefined && until <= Math.max(sendAt, now)) issues.push({ field: 'until', rule: 'must be after sendAt and after now' });
  if (o.remove === true && o.until === undefined) issues.push({ field: 'remove', rule: 'is only meaningful with until' });
  if (o.remove === true && o.removeAt !== undefined) issues.push({ field: 'removeAt', rule: 'use either removeAt or until with remove: true, not both' });
  let removeAt = o.removeAt === undefined ? undefined : instantIssue(o.removeAt, 'removeAt', now, issues);
  if (removeAt !== undefined && removeAt <= sendAt) issues.push({ field: 'removeAt', rule: 'must be after sendAt' });
  if (o.remove === true) removeAt = until;
  if (issues.length > 0) throw new ValidationError('activity options', issues);
  const timing: ShowTiming = { sendAt, deadline: Math.min(sendAt + maxLatenessMs, until ?? Number.POSITIVE_INFINITY) };
  if (o.validityTime !== undefined) timing.validityTime = o.validityTime;
  if (until !== undefined) timing.until = until;
  if (removeAt !== undefined) timing.removeAt = removeAt;
  if (o.idempotencyKey !== undefined) timing.idempotencyKey = o.idempotencyKey;
  return timing;
}

/** A remove's send time and options; the card is checked by the caller. */
export function resolveRemoveTiming(
  options: RemoveActivityOptions,
  now: number,
): { sendAt: number; card?: unknown; idempotencyKey?: string } {
  const o = parseOrThrow(RemoveActivityOptionsSchema, options, 'activity options');
  const issues: FieldIssue[] = [];
  const sendAt = o.sendAt === undefined ? now : (instantIssue(o.sendAt, 'sendAt', now, issues) ?? now);
  if (issues.length > 0) throw new ValidationError('activity options', issues);
  return { sendAt, ...(o.card !== undefined && { card: o.card }), ...(o.idempotencyKey !== undefined && { idempotencyKey: o.idempotencyKey }) };
}
