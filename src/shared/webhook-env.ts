import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events.js';

// Parsers of the NEUPUSH_WEBHOOK_* variables; every message starts with the variable's name.

/** Standard Webhooks: `whsec_` and the base64 of the key, which should be 24 to 64 bytes. */
const SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const SECRET_BYTES = { min: 24, max: 64 } as const;

/** The key bytes of a `whsec_<base64>` secret, or undefined when it is malformed. */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  const m = SECRET_PATTERN.exec(secret);
  if (!m || (m[1] as string).length % 4 !== 0) return undefined;
  const key = Buffer.from(m[1] as string, 'base64');
  return key.length >= SECRET_BYTES.min && key.length <= SECRET_BYTES.max ? key : undefined;
}

export const webhookSecret = (name: string) =>
  z
    .string()
    .refine(
      (s) => decodeWebhookSecret(s) !== undefined,
      `${name} must be whsec_ followed by the base64 of ${SECRET_BYTES.min} to ${SECRET_BYTES.max} random bytes`,
    )
    .optional();

/** One or more http(s) URLs, comma-separated; duplicates collapse (one job per event and URL). */
export const webhookUrls = (name: string) =>
  z.string().transform((s, ctx) => {
    const urls = s.split(',').map((part) => part.trim()).filter((part) => part !== '');
    for (const [i, url] of urls.entries()) {
      let ok = false;
      try {
        const parsed = new URL(url);
        ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
      } catch {
        ok = false;
      }
      // The URL itself is not repeated: it may carry a token.
      if (!ok) ctx.addIssue({ code: 'custom', message: `${name} must be a comma-separated list of http(s) URLs (entry ${i + 1} is not)` });
    }
    return [...new Set(urls)];
  });

/** `all`, or a comma-separated list of event types. */
export const webhookEvents = (name: string) =>
  z.string().transform((s, ctx): readonly WebhookEventType[] => {
    if (s.trim() === 'all') return WEBHOOK_EVENT_TYPES;
    const types = s.split(',').map((part) => part.trim());
    const known = new Set<string>(WEBHOOK_EVENT_TYPES);
    const unknown = types.filter((t) => !known.has(t));
    if (unknown.length > 0 || types.length === 0) {
      ctx.addIssue({ code: 'custom', message: `${name} must be all or a comma-separated list of ${WEBHOOK_EVENT_TYPES.join(', ')} (not ${unknown.join(', ')})` });
      return z.NEVER;
    }
    return [...new Set(types)] as WebhookEventType[];
  });
