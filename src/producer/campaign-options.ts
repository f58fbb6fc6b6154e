import { randomUUID } from 'node:crypto';
import type { CampaignOptionsSummary } from '../shared/campaign-status.js';
import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { resolveFrequencyCap, type FrequencyCap, type FrequencyCapInput } from '../shared/frequency-cap.js';
import type { Language, Notification, NotificationInput, TranslationInput } from '../neuxnet/notification.js';
import type { RecipientInput } from '../shared/recipient.js';
import { toFieldIssues } from '../shared/zod-issues.js';
import { parseTranslations, type Translations } from './campaign-languages.js';
import type { QuietHours } from './quiet-hours.js';
import { activitySummary, parseCampaignActivity, type CampaignActivity, type CampaignActivityInput } from './campaign-activity.js';
import { campaignFingerprint } from './campaign-fingerprint.js';
import { parseCampaignNotification } from './campaign-notification.js';
import { ScalarOptions } from './campaign-options-schema.js';
import { campaignSummary } from './campaign-summary.js';
import { resolveCampaignTiming } from './campaign-timing.js';

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


function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isRecipientSource(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || typeof value === 'string') return false;
  return Symbol.iterator in value || Symbol.asyncIterator in value;
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

  const timing = resolveCampaignTiming(o, now, maxLatenessMs, issues);
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

  return {
    id: campaignId,
    notification,
    ...(activity !== undefined && { activity }),
    ...(translations !== undefined && { translations }),
    timing,
    origin: now,
    ...(frequencyCap !== undefined && { frequencyCap }),
    fingerprint: campaignFingerprint(o, { notification, activity, translations, timing, frequencyCap }),
    summary: campaignSummary(o, notification.title, frequencyCap),
  };
}
