import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CampaignOptionsSummary } from '../shared/campaign-status.js';
import { ID_PATTERN, ID_RULE } from '../shared/campaign-keys.js';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { formatCap, resolveFrequencyCap, type FrequencyCap, type FrequencyCapInput } from '../shared/frequency-cap.js';
import { NotificationSchema, type Language, type Notification, type NotificationInput, type TranslationInput } from '../neuxnet/notification.js';
import type { RecipientInput } from '../shared/recipient.js';
import { isValidTimeZone } from '../shared/time.js';
import { toFieldIssues } from '../shared/zod-issues.js';
import { parseTranslations, type Translations } from './campaign-languages.js';
import { ExpiresInSchema, parseExpiresIn } from './horizon.js';
import type { QuietHours } from './quiet-hours.js';
import { resolveTiming } from './send-options.js';
import { activitySummary, parseCampaignActivity, type CampaignActivity, type CampaignActivityInput } from './campaign-activity.js';

/** Progress of `createCampaign`, reported after each input batch is queued. */
export interface CampaignProgress {
  /** Input records consumed so far, duplicates included (the resume checkpoint). */
  read: number;
  /** Distinct recipients queued so far. */
  recipients: number;
  /** Delivery jobs queued so far. */
  jobs: number;
}

export interface CreateCampaignOptions {
  /**
   * The campaign's id: 1 to 100 letters, digits, `_`, `.`, `-`. Creating with an id that exists resumes that
   * campaign (after a crash, say); pass the same recipients in the same order.
   * @defaultValue `cmp-<uuid>`, generated
   */
  id?: string;
  /**
   * The notification, in the vendor's fields, without `openIds` (the recipients supply them). It may carry
   * `translations`: `{ "ar_SA": { title, text, link?, url? }, ... }`, the content for recipients of that
   * `language`; then `language` is required and names the language of `title` and `text`.
   */
  notification?: Omit<NotificationInput, 'openIds'> & { translations?: Partial<Record<Language, TranslationInput>> };
  /**
   * An activity card instead of a notification (exactly one of the two), without `openIds`; every chunk
   * shows it with the same activityId (the card's, else the campaign id). Needs `validityTime` or `until`.
   * @defaultValue none
   */
  activity?: CampaignActivityInput;
  /**
   * With `activity`: how long the card is shown, in seconds.
   * @defaultValue none (one of validityTime and until is required with activity)
   */
  validityTime?: number;
  /**
   * With `activity`: the instant the card ends (validity computed when each chunk is sent; past it, expired).
   * @defaultValue none
   */
  until?: Date | string;
  /**
   * openIds, or `{ openId, timezone, language }` records; an array, an iterable or an async iterable. Read
   * in batches, never held whole. Repeated openIds get the notification once. A recipient whose language
   * has a translation gets it; any other gets the notification's own content.
   */
  recipients: Iterable<RecipientInput> | AsyncIterable<RecipientInput>;
  /**
   * When to send: a Date, an ISO instant with offset, or a wall-clock time with `timezone`.
   * @defaultValue now
   */
  sendAt?: Date | string;
  /**
   * IANA zone in which a wall-clock `sendAt` is read.
   * @defaultValue none (a wall-clock `sendAt` needs one)
   */
  timezone?: string;
  /**
   * `HH:MM`: deliver at this wall-clock time in each recipient's own zone (or `defaultTimezone`): today
   * where that time is still ahead, else tomorrow. Not with `sendAt`.
   * @defaultValue none (one instant, `sendAt`, for everyone)
   */
  localTime?: string;
  /**
   * Zone of recipients that name none, with `localTime` or `quietHours`.
   * @defaultValue none (such a recipient is refused)
   */
  defaultTimezone?: string;
  /**
   * `{ from: "22:00", to: "08:00" }`: a recipient whose send time falls in this daily window on their own
   * clock (their `timezone`, else `defaultTimezone`) is sent at its end (`to`) instead, with the deadline
   * moved as much. `from` after `to` wraps midnight. With `sendAt`, `localTime` or an immediate campaign.
   * @defaultValue none (send times are not moved)
   */
  quietHours?: QuietHours;
  /**
   * `{ perMinute: N }` (1 to 1,000,000): at most N recipients of this campaign become due per minute, spread
   * evenly from each send time (a chunk's due time follows from the recipients before it, so a resume
   * gives the same times); chunks are at most N recipients. Within the global `NEUPUSH_RATE_LIMIT`.
   * @defaultValue none (everyone is due at the send time)
   */
  throttle?: { perMinute: number };
  /**
   * How long after its send time each delivery may still go out (`30m`, `2h`, or ms).
   * @defaultValue the `NEUPUSH_MAX_LATENESS` setting
   */
  expiresIn?: string | number;
  /**
   * Called after each batch is queued. Must not throw.
   * @defaultValue none
   */
  onProgress?: (progress: CampaignProgress) => void;
  /**
   * Check everything a real create would (options and every recipient) and return the plan
   * (`CampaignPlan`) without writing anything to Redis.
   * @defaultValue `false`
   */
  dryRun?: boolean;
  /**
   * Per-user frequency cap: `{ max: 2, per: '24h' }` (max 1-1000, per 1m-30d) leaves out of each request
   * every recipient that already had `max` capped notifications in the last `per` (counted `capped`);
   * `true` is the `NEUPUSH_FREQUENCY_CAP` default (refused when none is set), `false` no cap at all.
   * @defaultValue the `NEUPUSH_FREQUENCY_CAP` setting (off by default)
   */
  frequencyCap?: FrequencyCapInput;
}

/**
 * When the deliveries go out: one instant, or a wall-clock time per recipient zone; either one moved out
 * of quiet hours (on each recipient's clock, so then recipients are grouped by zone too) and paced.
 */
export type CampaignTiming = (
  | { kind: 'at'; sendAt: number; deadline: number; defaultTimezone?: string }
  | { kind: 'local'; localTime: string; defaultTimezone?: string; windowMs: number; now: number }
) & { quietHours?: QuietHours; perMinute?: number };

export interface CampaignSpec {
  id: string;
  /** Validated, without openIds. */
  notification: Omit<Notification, 'openIds'>;
  /** An activity campaign's card; `notification` then only summarises it (title, text, language). */
  activity?: CampaignActivity;
  /** Validated content per other language; absent when the notification has none. */
  translations?: Translations;
  timing: CampaignTiming;
  /** The "now" the timing was resolved at: a paced campaign's resume plans from its first run's (see CampaignRun). */
  origin: number;
  /** The per-user cap every delivery of the campaign counts under; absent: none. */
  frequencyCap?: FrequencyCap;
  /** Digest of the notification and the options that shape delivery: a resume must match it. */
  fingerprint: string;
  /** What `getCampaign` shows of the options. */
  summary: CampaignOptionsSummary;
}

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM = z.string({ error: 'must be a string' }).regex(LOCAL_TIME, 'must be HH:MM from 00:00 to 23:59, e.g. 22:00');

const QuietHoursSchema = z
  .strictObject(
    { from: HHMM, to: HHMM },
    { error: (i) => (i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : 'must be { from: "HH:MM", to: "HH:MM" }') },
  )
  .refine((q) => q.from !== q.to, { message: 'from and to must differ (an empty window, or the whole day)', path: ['to'] });

const ThrottleSchema = z.strictObject(
  {
    perMinute: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 1,000,000')
      .max(1_000_000, 'must be from 1 to 1,000,000'),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : 'must be { perMinute: N }') },
);

const ScalarOptions = z.strictObject(
  {
    id: z.string({ error: 'must be a string' }).regex(ID_PATTERN, ID_RULE).optional(),
    notification: z.unknown().optional(),
    activity: z.unknown().optional(),
    validityTime: z.unknown().optional(),
    until: z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' }).optional(),
    recipients: z.unknown(),
    sendAt: z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' }).optional(),
    timezone: z.string().min(1, 'must not be empty').optional(),
    localTime: z.string({ error: 'must be a string' }).regex(LOCAL_TIME, 'must be HH:MM on a 24-hour clock, e.g. 09:00').optional(),
    defaultTimezone: z.string().min(1, 'must not be empty').optional(),
    expiresIn: ExpiresInSchema.optional(),
    quietHours: QuietHoursSchema.optional(),
    throttle: ThrottleSchema.optional(),
    onProgress: z.custom<(p: CampaignProgress) => void>((v) => typeof v === 'function', 'must be a function').optional(),
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
    frequencyCap: z.unknown().optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}` : 'must be an object') },
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isRecipientSource(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || typeof value === 'string') return false;
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

/** The notification every chunk shares; `openIds` come from the recipients, so it must not carry its own. */
function parseCampaignNotification(input: unknown, issues: FieldIssue[]): Omit<Notification, 'openIds'> | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    issues.push({ field: 'notification', rule: 'must be an object' });
    return undefined;
  }
  const n = input as Record<string, unknown>;
  if (n.openIds !== undefined) {
    issues.push({ field: 'notification.openIds', rule: "must be left out: a campaign's recipients supply the openIds" });
    return undefined;
  }
  if (n.rulesType !== undefined && String(n.rulesType) !== '3') {
    issues.push({ field: 'notification.rulesType', rule: 'must be 3 (by openId) or absent in a campaign' });
    return undefined;
  }
  // A placeholder recipient lets the one schema check every other rule, cross-field ones included.
  const parsed = NotificationSchema.safeParse({ ...n, openIds: ['placeholder'] });
  if (!parsed.success) {
    issues.push(...toFieldIssues(parsed.error, ['notification']));
    return undefined;
  }
  const { openIds: _placeholder, ...rest } = parsed.data;
  return rest;
}

/**
 * Validate everything but the recipients (those are checked as they stream in). Throws ValidationError.
 * `defaultCap`: the deployment's NEUPUSH_FREQUENCY_CAP, for a campaign that sets none.
 */
export function resolveCampaignSpec(options: CreateCampaignOptions, now: number, maxLatenessMs: number, defaultCap?: FrequencyCap): CampaignSpec {
  const scalar = ScalarOptions.safeParse(options);
  if (!scalar.success) throw new ValidationError('campaign options', toFieldIssues(scalar.error));
  const o = scalar.data;
  const issues: FieldIssue[] = [];
  if (!isRecipientSource(options.recipients)) {
    issues.push({ field: 'recipients', rule: 'must be an array, an iterable or an async iterable of openIds or { openId, timezone }' });
  }
  const campaignId = o.id ?? `cmp-${randomUUID()}`;
  let activity: CampaignActivity | undefined;
  let notification: Omit<Notification, 'openIds'> | undefined;
  let translations: Translations | undefined;
  if (o.activity !== undefined) {
    if (o.notification !== undefined) issues.push({ field: 'activity', rule: 'use either notification or activity, not both' });
    const validityTime = o.validityTime as number | undefined;
    if (validityTime !== undefined && typeof validityTime !== 'number') issues.push({ field: 'validityTime', rule: 'must be a whole number of seconds' });
    activity = parseCampaignActivity(o.activity, { validityTime, until: o.until }, campaignId, issues);
    notification = activity && activitySummary(activity);
  } else {
    if (o.validityTime !== undefined || o.until !== undefined) issues.push({ field: o.until !== undefined ? 'until' : 'validityTime', rule: 'is only meaningful with activity' });
    const { translations: translationsInput, ...notificationInput } = isPlainObject(o.notification) ? o.notification : { translations: undefined };
    notification = parseCampaignNotification(isPlainObject(o.notification) ? notificationInput : o.notification, issues);
    translations = parseTranslations(translationsInput, notification, issues);
  }

  let timing: CampaignTiming | undefined;
  if (o.localTime !== undefined) {
    if (o.sendAt !== undefined) issues.push({ field: 'localTime', rule: 'use either sendAt or localTime, not both' });
    if (o.timezone !== undefined) issues.push({ field: 'timezone', rule: 'goes with sendAt; with localTime use defaultTimezone' });
    if (o.defaultTimezone !== undefined && !isValidTimeZone(o.defaultTimezone)) {
      issues.push({ field: 'defaultTimezone', rule: `unknown time zone "${o.defaultTimezone}"` });
    }
    const windowMs = (o.expiresIn === undefined ? undefined : parseExpiresIn(o.expiresIn, issues)) ?? maxLatenessMs;
    timing = { kind: 'local', localTime: o.localTime, windowMs, now, ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }) };
  } else {
    if (o.defaultTimezone !== undefined && o.quietHours === undefined) {
      issues.push({ field: 'defaultTimezone', rule: 'is only meaningful with localTime or quietHours' });
    } else if (o.defaultTimezone !== undefined && !isValidTimeZone(o.defaultTimezone)) {
      issues.push({ field: 'defaultTimezone', rule: `unknown time zone "${o.defaultTimezone}"` });
    }
    try {
      const t = resolveTiming(
        {
          ...(o.sendAt !== undefined && { sendAt: o.sendAt }),
          ...(o.timezone !== undefined && { timezone: o.timezone }),
          ...(o.expiresIn !== undefined && { expiresIn: o.expiresIn }),
        },
        now,
        maxLatenessMs,
      );
      timing = { kind: 'at', sendAt: t.sendAt, deadline: t.deadline, ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
    }
  }
  // A frequency cap counts notifications: an activity card (shown, updated, removed) is not one.
  if (activity !== undefined && o.frequencyCap !== undefined && o.frequencyCap !== false) {
    issues.push({ field: 'frequencyCap', rule: 'applies to notifications, not to activity cards' });
  }
  const capped = resolveFrequencyCap(activity === undefined ? o.frequencyCap : false, defaultCap, 'default');
  issues.push(...capped.issues);
  const frequencyCap = capped.cap;
  if (issues.length > 0 || notification === undefined || timing === undefined) throw new ValidationError('campaign options', issues);
  if (o.quietHours !== undefined) timing.quietHours = { from: o.quietHours.from, to: o.quietHours.to };
  if (o.throttle !== undefined) timing.perMinute = o.throttle.perMinute;

  const given = {
    ...(o.sendAt !== undefined && { sendAt: o.sendAt instanceof Date ? o.sendAt.toISOString() : o.sendAt }),
    ...(o.timezone !== undefined && { timezone: o.timezone }),
    ...(o.localTime !== undefined && { localTime: o.localTime }),
    ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }),
    ...(o.expiresIn !== undefined && { expiresIn: String(o.expiresIn) }),
    ...(o.quietHours !== undefined && { quietHours: `${o.quietHours.from}-${o.quietHours.to}` }),
    ...(o.throttle !== undefined && { throttle: o.throttle.perMinute }),
    ...(frequencyCap !== undefined && { frequencyCap: formatCap(frequencyCap) }),
  };
  // What shapes delivery, in canonical form ("2h" and 7200000 are the same request). An absent sendAt or
  // expiresIn means "at once" and "the configured lateness" on every run; the chunk size is the first run's.
  const shape = {
    notification,
    ...(activity !== undefined && { activity }),
    ...(translations !== undefined && { translations }),
    ...(o.sendAt !== undefined && timing.kind === 'at' && { sendAt: timing.sendAt }),
    ...(o.expiresIn !== undefined && { expiresMs: timing.kind === 'at' ? timing.deadline - timing.sendAt : timing.windowMs }),
    ...(timing.kind === 'local' && { localTime: timing.localTime }),
    ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }),
    ...(o.quietHours !== undefined && { quietHours: timing.quietHours }),
    ...(o.throttle !== undefined && { perMinute: o.throttle.perMinute }),
    // A cap given (or refused with false) is part of the request; an absent one is the deployment's on every run.
    ...(o.frequencyCap !== undefined && { frequencyCap: frequencyCap ?? false }),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32);
  return {
    id: campaignId,
    notification,
    ...(activity !== undefined && { activity }),
    ...(translations !== undefined && { translations }),
    timing,
    origin: now,
    ...(frequencyCap !== undefined && { frequencyCap }),
    fingerprint,
    summary: { title: notification.title, ...given },
  };
}
