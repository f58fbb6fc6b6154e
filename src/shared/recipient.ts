import { LANGUAGES, openIdRule as notificationOpenIdRule } from '../neuxnet/notification.js';
import { isValidTimeZone } from './time.js';

/**
 * One campaign recipient: an openId, or an openId with the IANA zone used for local-time delivery and the
 * recipient's language (checked against the notification's languages; not yet used to pick a text).
 */
export type RecipientInput = string | { openId: string; timezone?: string; language?: string };

export interface Recipient {
  openId: string;
  timezone?: string;
  language?: (typeof LANGUAGES)[number];
}

/**
 * A normalised campaign recipient: the bare openId when the record names nothing else (most of a large
 * audience), else a Recipient. A million bare strings cost the producer nothing beyond the strings it was
 * given; a million wrapper objects would be 32 MB that every young-generation collection has to copy.
 */
export type RecipientEntry = string | Recipient;

export function openIdOf(entry: RecipientEntry): string {
  return typeof entry === 'string' ? entry : entry.openId;
}

/** A record that is not a recipient: the rule it breaks (a class, so it cannot be mistaken for an openId). */
export class BrokenRule {
  readonly rule: string;
  constructor(rule: string) {
    this.rule = rule;
  }
}

const RECORD_RULE = 'must be an openId string or { openId, timezone, language }';

/** The rule a recipient's openId breaks (the rules of `openIds` in a notification), or undefined when it is fine. */
export function openIdRule(openId: unknown): string | undefined {
  const rule = notificationOpenIdRule(openId);
  return rule === undefined ? undefined : `openId ${rule}`;
}

const zoneCache = new Map<string, boolean>();

/** IANA zone check, cached: a campaign names few zones but checks them once per recipient. */
export function isKnownZone(zone: string): boolean {
  let known = zoneCache.get(zone);
  if (known === undefined) {
    known = isValidTimeZone(zone);
    if (zoneCache.size < 10_000) zoneCache.set(zone, known);
  }
  return known;
}

/**
 * Normalise one recipient record: the openId string itself when that is all it names, else a new, small
 * object (nothing else of the input is kept). Returns the rule it breaks instead of throwing; the rule
 * never quotes the openId (personal data).
 */
export function toRecipient(input: unknown): RecipientEntry | BrokenRule {
  if (typeof input === 'string') {
    const rule = openIdRule(input);
    return rule === undefined ? input : new BrokenRule(rule);
  }
  const r = recordToRecipient(input);
  return typeof r === 'string' ? new BrokenRule(r) : r.timezone === undefined && r.language === undefined ? r.openId : r;
}

/** An object record's recipient, or the rule it breaks. */
function recordToRecipient(input: unknown): Recipient | string {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return RECORD_RULE;
  const { openId, timezone, language } = input as { openId?: unknown; timezone?: unknown; language?: unknown };
  let fields = 0;
  for (const key in input) {
    if (key !== 'openId' && key !== 'timezone' && key !== 'language') return `unknown field ${JSON.stringify(key.slice(0, 40))}; ${RECORD_RULE}`;
    fields++;
  }
  if (fields === 0) return RECORD_RULE;
  const rule = openIdRule(openId);
  if (rule) return rule;
  const r: Recipient = { openId: openId as string };
  if (timezone !== undefined) {
    if (typeof timezone !== 'string' || timezone.trim() === '') return 'timezone must be a non-empty string';
    if (!isKnownZone(timezone)) return `unknown time zone "${timezone.slice(0, 64)}"`;
    r.timezone = timezone;
  }
  if (language !== undefined) {
    if (!(LANGUAGES as readonly unknown[]).includes(language)) return `language must be one of ${LANGUAGES.join(', ')}`;
    r.language = language as Recipient['language'] & string;
  }
  return r;
}
