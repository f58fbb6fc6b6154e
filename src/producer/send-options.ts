import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { parseDuration } from '../shared/duration.js';
import { resolveInstant } from '../shared/time.js';
import { parseOrThrow } from '../shared/zod-issues.js';

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
    expiresIn: z
      .union([z.string().min(1), z.number().positive('must be a positive duration like 30m, 2h or ms')], {
        error: 'must be a duration like 30m or ms',
      })
      .optional(),
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

/** Resolve when a notification goes out and until when it may; refuse what is already too late. */
export function resolveTiming(options: SendOptions, now: number, maxLatenessMs: number): Timing & { idempotencyKey?: string } {
  const o = parseOrThrow(SendOptionsSchema, options, 'send options');
  const issues: FieldIssue[] = [];
  let sendAt = now;
  if (o.sendAt !== undefined) {
    const r = resolveInstant(o.sendAt, o.timezone);
    if (r.ok) sendAt = r.ms;
    else issues.push({ field: r.rule.startsWith('unknown time zone') ? 'timezone' : 'sendAt', rule: r.rule });
  } else if (o.timezone !== undefined) {
    issues.push({ field: 'timezone', rule: 'is only meaningful with sendAt' });
  }
  if (o.expiresIn !== undefined && o.deadline !== undefined)
    issues.push({ field: 'deadline', rule: 'use either expiresIn or deadline, not both' });
  let windowMs = maxLatenessMs;
  if (o.expiresIn !== undefined) {
    const ms = parseDuration(o.expiresIn);
    if (ms === undefined || ms <= 0) issues.push({ field: 'expiresIn', rule: 'must be a positive duration like 30m, 2h or ms' });
    else windowMs = ms;
  }
  let deadline = sendAt + windowMs;
  if (o.deadline !== undefined) {
    const r = resolveInstant(o.deadline);
    if (!r.ok) issues.push({ field: 'deadline', rule: r.rule });
    else if (r.ms < sendAt) issues.push({ field: 'deadline', rule: 'must not be before sendAt' });
    else deadline = r.ms;
  }
  if (issues.length === 0 && deadline <= now) {
    issues.push({
      field: o.sendAt !== undefined ? 'sendAt' : 'deadline',
      rule: `is already past its lateness window (deadline ${new Date(deadline).toISOString()} is before now)`,
    });
  }
  if (issues.length > 0) throw new ValidationError('send options', issues);
  return { sendAt, deadline, ...(o.idempotencyKey !== undefined && { idempotencyKey: o.idempotencyKey }) };
}
