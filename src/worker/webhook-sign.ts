import { createHmac } from 'node:crypto';
import { ConfigError } from '../shared/errors.js';
import type { Config } from '../shared/config.js';
import { decodeWebhookSecret } from '../shared/webhook-env.js';

/** The three Standard Webhooks headers of one attempt. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks signing: `v1,` and the base64 HMAC-SHA256, keyed with the secret's decoded bytes,
 * of `<id>.<timestamp>.<body>`. The timestamp is this attempt's (seconds), so receivers that refuse old
 * timestamps accept a retry sent hours later.
 */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): WebhookHeaders {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${mac}` };
}

/** The signing key; a worker with receivers and no (valid) secret does not start. */
export function requireWebhookKey(config: Readonly<Config>): Buffer {
  const key = config.webhookSecret === undefined ? undefined : decodeWebhookSecret(config.webhookSecret);
  if (key === undefined) throw new ConfigError('NEUPUSH_WEBHOOK_SECRET must be set (whsec_<base64>) when NEUPUSH_WEBHOOK_URL is');
  return key;
}
