import { LANGUAGES, LIMITS, type Notification } from '../neuxnet/notification.js';
import { allDistinct } from '../shared/distinct-ids.js';

/**
 * The common notification (by openId, plain text) checked in one pass, without zod: zod spends about 1 µs
 * per openId and 15 µs on the rest, as much as BullMQ's own add, and a one-off send must stay near the cost
 * of a bare `Queue.add`. It only ever answers "valid, and this is what the schema would output" or "ask the
 * schema" (undefined): anything unusual (a phone send, an unknown or explicitly undefined field, any
 * doubt) goes to NotificationSchema, which also words every error. test/unit/fast-notification.test.ts
 * holds it to the schema's output on valid and invalid inputs.
 */
const KNOWN = new Set(['notifyType', 'rulesType', 'openIds', 'title', 'text', 'navigateType', 'miniAppId', 'url', 'link', 'language']);
const LANGUAGE_SET: ReadonlySet<unknown> = new Set(LANGUAGES);
/** The optional fields after navigateType, in the schema's order. */
const TAIL = ['miniAppId', 'url', 'link', 'language'] as const;

const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max && v.trim().length > 0;

function httpUrl(v: unknown): v is string {
  if (!text(v, LIMITS.url)) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A code unit trim() might remove: ASCII whitespace and controls, or anything beyond ASCII (Unicode spaces). */
const mayTrim = (c: number) => c <= 32 || c >= 127;

function openIdsOf(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > LIMITS.openIdsPerSend) return undefined;
  for (const id of v as unknown[]) {
    if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.openId || id.includes(',')) return undefined;
    if ((mayTrim(id.charCodeAt(0)) || mayTrim(id.charCodeAt(id.length - 1))) && id.trim() !== id) return undefined;
  }
  // The schema keeps the first of each duplicate, in order; duplicates are rare, so only then a Set.
  return allDistinct(v as string[]) ? (v.slice() as string[]) : [...new Set(v as string[])];
}

export function fastNotification(input: unknown): Notification | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const n = input as Record<string, unknown>;
  for (const key in n) if (!KNOWN.has(key) || n[key] === undefined) return undefined;
  if ('notifyType' in n && n.notifyType !== 1 && n.notifyType !== '1') return undefined;
  if ('rulesType' in n && n.rulesType !== 3 && n.rulesType !== '3') return undefined;
  const navigateType = n.navigateType === 1 || n.navigateType === '1' ? '1' : n.navigateType === 2 || n.navigateType === '2' ? '2' : undefined;
  if (navigateType === undefined || !text(n.title, LIMITS.title) || !text(n.text, LIMITS.text)) return undefined;
  if ('miniAppId' in n && !text(n.miniAppId, LIMITS.miniAppId)) return undefined;
  if ('link' in n && !text(n.link, LIMITS.link)) return undefined;
  if ('language' in n && !LANGUAGE_SET.has(n.language)) return undefined;
  if (navigateType === '1' ? 'url' in n || !('language' in n) : !httpUrl(n.url)) return undefined;
  const openIds = openIdsOf(n.openIds);
  if (openIds === undefined) return undefined;
  // The schema's output: its keys in its order, codes as strings, notifyType as 1. Built key by key:
  // conditional spreads cost more than all the checks above.
  const out: Record<string, unknown> = {};
  if ('notifyType' in n) out.notifyType = 1;
  if ('rulesType' in n) out.rulesType = '3';
  out.openIds = openIds;
  out.title = n.title;
  out.text = n.text;
  out.navigateType = navigateType;
  for (const key of TAIL) if (key in n) out[key] = n[key];
  return out as Notification;
}
