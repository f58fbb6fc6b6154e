import { z } from 'zod';
import { httpUrl, requiredOr, text } from './field-rules.js';
import { LANGUAGES, LIMITS, openIdList } from './notification.js';

/**
 * An activity card (sendActivity, spec: neuxnet-sendnotify.md section "sendActivity") as callers write it:
 * the vendor's fields, except `status` and `validityTime`, which neupush sets (status 1 to show, 0 to
 * remove; the validity from the caller's options, computed at the moment of sending for `until`).
 */
export const ACTIVITY_LIMITS = {
  activityId: 100,
  templateId: 64,
  path: 2_048,
  /** Longest validity a card may ask for: one year, the send horizon. */
  validitySeconds: 366 * 24 * 3600,
} as const;

/** The Open API path of sendActivity. */
export const SEND_ACTIVITY_PATH = '/neuopenapi/activity/sendActivity';


/** A field the caller may not set: neupush does, and says how to get what was meant. */
const setByNeupush = (how: string) =>
  z
    .unknown()
    .refine((v) => v === undefined, `is set by neupush: ${how}`)
    .optional();

export const ActivityCardSchema = z
  .strictObject(
    {
      /** Optional: generated when absent. Its pattern is checked at the edge (src/shared/ids.ts) before it enters a key. */
      activityId: text(ACTIVITY_LIMITS.activityId).optional(),
      title: text(LIMITS.title),
      text: text(LIMITS.text),
      color: z
        .string({ error: requiredOr('must be a string') })
        .refine((s) => /^[0-9A-Fa-f]{6}$/.test(s), 'must be 6 hex digits without "#", e.g. "FFFFFF"'),
      templateId: z
        .union([z.string(), z.number()], { error: requiredOr('must be a string') })
        .transform((v) => String(v))
        .pipe(text(ACTIVITY_LIMITS.templateId)),
      iconUrl: httpUrl(LIMITS.url),
      path: text(ACTIVITY_LIMITS.path).optional(),
      language: z.enum(LANGUAGES, { error: requiredOr(`must be one of ${LANGUAGES.join(', ')}`) }),
      openIds: openIdList.optional(),
      status: setByNeupush('showActivity sends 1, removeActivity (or removeAt) sends 0'),
      validityTime: setByNeupush('pass the validityTime or until option'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : 'must be an object') },
  )
  .transform(({ status: _status, validityTime: _validity, ...card }) => card);

export type ActivityCardInput = z.input<typeof ActivityCardSchema>;
export type ActivityCard = z.output<typeof ActivityCardSchema>;

/** The card's content, as a delivery job stores it (no audience, no id). */
export type ActivityContent = Omit<ActivityCard, 'activityId' | 'openIds'>;

/** One sendActivity request: the card's content, its id and audience, and what neupush sets. */
export interface ActivityRequest extends ActivityContent {
  activityId: string;
  openIds: readonly string[];
  status: 0 | 1;
  /** Seconds. */
  validityTime: number;
}

/**
 * The validity to send, in seconds: the given one, or what is left until `until` at the moment of sending
 * (rounded up, at least 1: the deadline has already refused a card whose `until` has passed). A remove
 * (status 0) sends 0: nothing is left to show, and the spec documents no range.
 */
export function validitySeconds(status: 0 | 1, v: { validityTime?: number | undefined; until?: number | undefined }, now: number): number {
  if (status === 0) return 0;
  if (v.validityTime !== undefined) return v.validityTime;
  if (v.until !== undefined) return Math.max(1, Math.ceil((v.until - now) / 1000));
  throw new Error('an activity show needs validityTime or until');
}

/** The form fields of one sendActivity request, as the spec's table lists them; no `sign` yet. */
export function toActivityWireParams(r: ActivityRequest, appid: string, timestamp: number): Record<string, string> {
  const p: Record<string, string> = {
    appid,
    timestamp: String(timestamp),
    activityId: r.activityId,
    openIds: r.openIds.join(','),
    color: r.color,
    templateId: r.templateId,
    title: r.title,
    text: r.text,
    iconUrl: r.iconUrl,
  };
  if (r.path !== undefined) p.path = r.path;
  p.status = String(r.status);
  p.validityTime = String(r.validityTime);
  p.language = r.language;
  return p;
}
