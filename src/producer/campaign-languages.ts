import { LANGUAGES, TranslationSchema, type Language, type Notification, type Translation } from '../neuxnet/notification.js';
import type { FieldIssue } from '../shared/errors.js';
import type { RecipientEntry } from '../shared/recipient.js';
import { toFieldIssues } from '../shared/zod-issues.js';

/** A campaign's content in languages other than its notification's own, by language code. */
export type Translations = Partial<Record<Language, Translation>>;

type CampaignNotification = Omit<Notification, 'openIds'>;

/** The language whose content a recipient gets: one for everyone, or one per recipient. */
export type LanguageOf = Language | ((r: RecipientEntry) => Language);

/**
 * Check `notification.translations` (already taken out of the notification): known language codes only,
 * each translation under the notification's field rules, and the notification naming its own language
 * (the language of its title and text, which recipients without a translation get). Issues are pushed;
 * returns undefined when there are none to use.
 */
export function parseTranslations(input: unknown, notification: CampaignNotification | undefined, issues: FieldIssue[]): Translations | undefined {
  if (input === undefined) return undefined;
  const base = 'notification.translations';
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    issues.push({ field: base, rule: `must be an object keyed by language (${LANGUAGES.join(', ')})` });
    return undefined;
  }
  const out: Translations = {};
  const before = issues.length;
  for (const [code, value] of Object.entries(input as Record<string, unknown>)) {
    const field = `${base}.${code.slice(0, 40)}`;
    if (!(LANGUAGES as readonly string[]).includes(code)) {
      issues.push({ field, rule: `is not a known language: must be one of ${LANGUAGES.join(', ')}` });
      continue;
    }
    if (notification !== undefined && code === notification.language) {
      issues.push({ field, rule: "is the notification's own language: its content is the notification's title and text" });
      continue;
    }
    const parsed = TranslationSchema.safeParse(value);
    if (!parsed.success) {
      issues.push(...toFieldIssues(parsed.error, [base, code]));
      continue;
    }
    if (notification !== undefined && parsed.data.url !== undefined && notification.navigateType !== '2') {
      issues.push({ field: `${field}.url`, rule: 'is only allowed when navigateType is 2' });
      continue;
    }
    out[code as Language] = parsed.data;
  }
  if (notification !== undefined && notification.language === undefined) {
    issues.push({ field: 'notification.language', rule: 'is required with translations: it names the language of title and text' });
  }
  if (Object.keys(out).length === 0 && issues.length === before) {
    issues.push({ field: base, rule: 'must name at least one language' });
  }
  return issues.length > before ? undefined : out;
}

/**
 * The language whose content a recipient gets: theirs when the campaign has it, else the notification's
 * own (or, when it names none, `fallback`: the language the worker will send, NEUXNET_DEFAULT_LANGUAGE).
 */
export function languageFor(
  spec: { notification: CampaignNotification; translations?: Translations },
  fallback: Language,
): LanguageOf {
  const { notification, translations } = spec;
  const own = notification.language ?? fallback;
  // Without translations everyone gets the one language: a value, so the planner need not ask per recipient.
  if (translations === undefined) return own;
  return (r) => (typeof r !== 'string' && r.language !== undefined && translations[r.language] !== undefined ? r.language : own);
}

/**
 * The notification one language's recipients get: a translation replaces the content and names its
 * language; the notification's own language is sent as it is (no language yet: the worker adds the default).
 */
export function contentFor(notification: CampaignNotification, translations: Translations | undefined, language: Language | undefined): CampaignNotification {
  const t = language === undefined ? undefined : translations?.[language];
  if (t === undefined) return notification;
  return { ...notification, ...t, language };
}
