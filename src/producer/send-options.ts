import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { FrequencyCapSchema } from '../shared/frequency-cap.js';
import { resolveInstant } from '../shared/time.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { ExpiresInSchema, HORIZON_RULE, parseExpiresIn, withinHorizon } from './horizon.js';

export const SendOptionsSchema = z.strictObject(
  {
    /**
     * When to send: a Date, an ISO instant with offset, or a wall-clock time with `timezone`.
     * @defaultValue now
     */
    sendAt: z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' }).optional(),
    /**
     * IANA zone in which a wall-clock `sendAt` is read, e.g. `Asia/Riyadh`.
     * @defaultValue none (a wall-clock `sendAt` needs one)
     */
    timezone: z.string().min(1, 'must not be empty').optional(),
    /**
     * How long after `sendAt` it may still go out (`30m`, `2h`, or ms).
     * @defaultValue the `NEUPUSH_MAX_LATENESS` setting
     */
    expiresIn: ExpiresInSchema.optional(),
    /**
     * An absolute deadline instead of `expiresIn` (not both).
     * @defaultValue `sendAt` + `expiresIn`
     */
    deadline: z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' }).optional(),
    /**
     * The same key again within `NEUPUSH_DEDUP_TTL` gives one notification and returns the first result.
     * @defaultValue none (every call queues)
     */
    idempotencyKey: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
    /**
     * Count this send under a per-user frequency cap: `{ max, per }` (max 1-1000, per 1m-30d), or `true` for
     * the `NEUPUSH_FREQUENCY_CAP` default (refused when none is set). A capped send leaves out every openId
     * that already had `max` capped notifications in the last `per`, and counts toward later caps.
     * @defaultValue `false`: a one-off send is neither capped nor counted
     */
    frequencyCap: FrequencyCapSchema.optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}` : 'must be an object') },
);

export type SendOptions = z.input<typeof SendOptionsSchema>;

export interface Timing {
  /** Intended send time, ms. */
  sendAt: number;
  /** Last instant it may go out, ms. */
  deadline: number;
}

export interface ResolvedSendOptions extends Timing {
  idempotencyKey?: string;
  /** The frequencyCap option as given (checked); the producer resolves `true` against its configuration. */
  frequencyCap?: z.output<typeof FrequencyCapSchema>;
  /**
   * The options that shape delivery, resolved: sendAt only when given (a default `now` is no part of the
   * request), the deadline when given, else the window. What an idempotency key's fingerprint covers
   * besides the notification.
   */
  given: { sendAt?: number; windowMs?: number; deadline?: number };
}

function isEmptyObject(value: unknown): value is Record<string, never> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/**
 * Resolve when a notification goes out and until when it may; refuse what is already too late, and send
 * times and deadlines beyond the horizon (one year).
 */
export function resolveTiming(options: SendOptions, now: number, maxLatenessMs: number): ResolvedSendOptions {
  // Most sends pass no options: the schema would only say so, at a cost that shows on a one-off send.
  const o = isEmptyObject(options) ? {} : parseOrThrow(SendOptionsSchema, options, 'send options');
  const issues: FieldIssue[] = [];
  let sendAt = now;
  if (o.sendAt !== undefined) {
    const r = resolveInstant(o.sendAt, o.timezone);
    if (!r.ok) issues.push({ field: r.rule.startsWith('unknown time zone') ? 'timezone' : 'sendAt', rule: r.rule });
    else if (!withinHorizon(r.ms, now)) issues.push({ field: 'sendAt', rule: HORIZON_RULE });
    else sendAt = r.ms;
  } else if (o.timezone !== undefined) {
    issues.push({ field: 'timezone', rule: 'is only meaningful with sendAt' });
  }
  if (o.expiresIn !== undefined && o.deadline !== undefined)
    issues.push({ field: 'deadline', rule: 'use either expiresIn or deadline, not both' });
  const windowMs = o.expiresIn === undefined ? undefined : parseExpiresIn(o.expiresIn, issues);
  let deadline = sendAt + (windowMs ?? maxLatenessMs);
  let given: number | undefined;
  if (o.deadline !== undefined) {
    const r = resolveInstant(o.deadline);
    if (!r.ok) issues.push({ field: 'deadline', rule: r.rule });
    else if (r.ms < sendAt) issues.push({ field: 'deadline', rule: 'must not be before sendAt' });
    else deadline = given = r.ms;
  }
  if (issues.length === 0 && !withinHorizon(deadline, now)) {
    const field = o.deadline !== undefined ? 'deadline' : o.expiresIn !== undefined ? 'expiresIn' : 'sendAt';
    issues.push({ field, rule: `puts the deadline beyond the horizon: it ${HORIZON_RULE}` });
  }
  if (issues.length === 0 && deadline <= now) {
    issues.push({
      field: o.sendAt !== undefined ? 'sendAt' : 'deadline',
      rule: `is already past its lateness window (deadline ${new Date(deadline).toISOString()} is before now)`,
    });
  }
  if (issues.length > 0) throw new ValidationError('send options', issues);
  // Built field by field: conditional spreads cost microseconds, which show on a one-off send.
  const resolved: ResolvedSendOptions = { sendAt, deadline, given: {} };
  if (o.idempotencyKey !== undefined) resolved.idempotencyKey = o.idempotencyKey;
  if (o.frequencyCap !== undefined) resolved.frequencyCap = o.frequencyCap;
  if (o.sendAt !== undefined) resolved.given.sendAt = sendAt;
  // The effective window, so `expiresIn: '1h'` and the default of 1 h are the same request.
  if (given === undefined) resolved.given.windowMs = deadline - sendAt;
  else resolved.given.deadline = given;
  return resolved;
}
