import { z } from 'zod';
import { httpUrl, requiredOr, text } from './field-rules.js';

/**
 * The notification as callers write it, in the vendor's field names (spec: neuxnet-sendnotify.md).
 * Size bounds are generous: the vendor documents none, these only stop obvious mistakes.
 */
export const LIMITS = {
  title: 256,
  text: 4_096,
  openId: 128,
  /** One `send` call; a larger audience belongs in a campaign. */
  openIdsPerSend: 100_000,
  url: 2_048,
  link: 2_048,
  miniAppId: 128,
} as const;

export const LANGUAGES = ['en_US', 'ar_SA', 'zh_CN'] as const;
export type Language = (typeof LANGUAGES)[number];


/** A code the vendor documents as a string ("1") that callers also write as a number (1). */
function code<const T extends readonly string[]>(allowed: T) {
  return z
    .union([z.string(), z.number()], { error: requiredOr(`must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`) })
    .transform((v) => String(v))
    .pipe(z.enum(allowed, { error: `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}` }));
}

const url = httpUrl(LIMITS.url);

/**
 * The rule an openId breaks, or undefined when it is fine: the one definition, used for `openIds` here and
 * for campaign recipients (src/shared/recipient.ts).
 */
export function openIdRule(openId: unknown): string | undefined {
  if (typeof openId !== 'string') return 'must be a string';
  if (openId.trim().length === 0) return 'must not be empty';
  if (openId.length > LIMITS.openId) return `must be at most ${LIMITS.openId} characters`;
  if (openId.includes(',') || openId.trim() !== openId) {
    return 'must not contain a comma or surrounding spaces (the API joins openIds with commas)';
  }
  return undefined;
}

/** An openId field: a string that keeps {@link openIdRule}. */
const openIdField = z.string({ error: requiredOr('must be a string') }).superRefine((s, ctx) => {
  const rule = openIdRule(s);
  if (rule !== undefined) ctx.addIssue({ code: 'custom', message: rule });
});

/** One request's openIds, de-duplicated in order (notifications and activity cards alike). */
export const openIdList = z
  .array(openIdField, { error: 'must be an array of strings' })
  .max(LIMITS.openIdsPerSend, `must have at most ${LIMITS.openIdsPerSend} items (use a campaign for more)`)
  // Callers may pass a readonly (`as const`) list: it is only read, and the output is a fresh array.
  .readonly()
  .transform((ids): string[] => [...new Set(ids)]);

const notificationShape = z.strictObject(
  {
    notifyType: z
      .union([z.literal(1), z.literal('1')], { error: 'must be 1 (plain text, the only documented type)' })
      .transform(() => 1 as const)
      .optional(),
    rulesType: code(['1', '2', '3'] as const).optional(),
    countryCode: text(8)
      .refine((s) => /^\+\d{1,4}$/.test(s), 'must be "+" followed by 1 to 4 digits, e.g. "+966"')
      .optional(),
    mobileNumber: text(20)
      .refine((s) => /^\d{4,15}$/.test(s), 'must be 4 to 15 digits')
      .optional(),
    openIds: openIdList.optional(),
    title: text(LIMITS.title),
    text: text(LIMITS.text),
    navigateType: code(['1', '2'] as const),
    miniAppId: text(LIMITS.miniAppId).optional(),
    url: url.optional(),
    link: text(LIMITS.link).optional(),
    language: z.enum(LANGUAGES, { error: `must be one of ${LANGUAGES.join(', ')}` }).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : 'must be an object') },
);

type Shape = z.output<typeof notificationShape>;

/**
 * One language's content (a campaign's `translations`): the notification's own field rules for the fields
 * that vary by language. Whether `url` is allowed depends on the notification's navigateType (the caller checks).
 */
export const TranslationSchema = notificationShape.pick({ title: true, text: true, link: true, url: true });
export type TranslationInput = z.input<typeof TranslationSchema>;
export type Translation = z.output<typeof TranslationSchema>;

/** Cross-field rules from the spec, each reported on the field that has to change. */
function crossFieldRules(n: Shape, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (n.navigateType === '2' && n.url === undefined) issue('url', 'is required when navigateType is 2 (open a URL)');
  if (n.navigateType === '1' && n.language === undefined)
    issue('language', 'is required when navigateType is 1 (open a Mini App)');
  if (n.navigateType === '1' && n.url !== undefined) issue('url', 'is only allowed when navigateType is 2');
  const rules = n.rulesType;
  if (rules === '2') {
    if (n.countryCode === undefined) issue('countryCode', 'is required when rulesType is 2 (by phone number)');
    if (n.mobileNumber === undefined) issue('mobileNumber', 'is required when rulesType is 2 (by phone number)');
  } else {
    if (n.countryCode !== undefined) issue('countryCode', 'is only allowed when rulesType is 2');
    if (n.mobileNumber !== undefined) issue('mobileNumber', 'is only allowed when rulesType is 2');
  }
  if (rules === '3' || rules === undefined) {
    if (n.openIds === undefined || n.openIds.length === 0)
      issue('openIds', `must be a non-empty list when rulesType is ${rules ?? 'absent'} (by openId)`);
  } else if (n.openIds !== undefined) {
    issue('openIds', `is only allowed when rulesType is 3 or absent (rulesType is ${rules})`);
  }
}

/** Validates and normalises a notification (codes to strings, notifyType to 1, openIds de-duplicated). */
export const NotificationSchema = notificationShape.superRefine(crossFieldRules);

/** What callers pass: the vendor's fields, codes as strings or numbers. */
export type NotificationInput = z.input<typeof NotificationSchema>;
/** A validated notification, as stored in job data (no appid, timestamp or sign: those are added at send time). */
export type Notification = z.output<typeof NotificationSchema>;

/** How many recipients one notification names; `everyone` and phone sends count as one request's worth. */
export function recipientCount(n: Notification): number {
  return n.openIds?.length ?? 1;
}
