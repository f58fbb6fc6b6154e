import { openIdRule as notificationOpenIdRule } from '../neuxnet/notification.js';
import { isValidTimeZone } from './time.js';

/** One campaign recipient: an openId, or an openId with the IANA zone used for local-time delivery. */
export type RecipientInput = string | { openId: string; timezone?: string };

export interface Recipient {
  openId: string;
  timezone?: string;
}

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

/** Normalise one recipient record; returns the rule it breaks as a string instead of throwing. */
export function toRecipient(input: unknown): Recipient | string {
  if (typeof input === 'string') {
    const rule = openIdRule(input);
    return rule ?? { openId: input };
  }
  if (input === null || typeof input !== 'object') return 'must be an openId string or { openId, timezone }';
  const { openId, timezone, ...rest } = input as { openId?: unknown; timezone?: unknown };
  const extra = Object.keys(rest);
  if (extra.length > 0) return `unknown field(s) ${extra.join(', ')}`;
  const rule = openIdRule(openId);
  if (rule) return rule;
  if (timezone === undefined) return { openId: openId as string };
  if (typeof timezone !== 'string' || timezone.trim() === '') return 'timezone must be a non-empty string';
  if (!isKnownZone(timezone)) return `unknown time zone "${timezone}"`;
  return { openId: openId as string, timezone };
}
