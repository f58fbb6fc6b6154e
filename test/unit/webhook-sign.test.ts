import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeWebhookSecret } from '../../src/shared/webhook-env.js';
import { requireWebhookKey, signWebhook } from '../../src/worker/webhook-sign.js';
import { loadConfig } from '../../src/shared/config.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('signWebhook', () => {
  it("matches the standardwebhooks package's sign for the same id, timestamp and body, and verifies", () => {
    const key = decodeWebhookSecret(secret)!;
    const body = JSON.stringify({ type: 'delivery.succeeded', timestamp: '2026-12-01T00:00:00.000Z', data: { n: 1, text: 'é ☃' } });
    const seconds = Math.floor(Date.now() / 1000);
    const headers = signWebhook(key, 'msg_0123', seconds, body);
    const wh = new Webhook(secret);
    expect(headers['webhook-signature']).toBe(wh.sign('msg_0123', new Date(seconds * 1000), body));
    expect(wh.verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => wh.verify(`${body} `, { ...headers })).toThrow();
  });
});

describe('NEUPUSH_WEBHOOK_* configuration', () => {
  it.each([
    ['no prefix', randomBytes(32).toString('base64')],
    ['not base64', 'whsec_not*base64'],
    ['too short a key', `whsec_${randomBytes(8).toString('base64')}`],
    ['too long a key', `whsec_${randomBytes(65).toString('base64')}`],
  ])('refuses a secret with %s, naming the variable but not the value', (_why, value) => {
    const attempt = () => loadConfig({ NEUPUSH_WEBHOOK_SECRET: value });
    expect(attempt).toThrow(/NEUPUSH_WEBHOOK_SECRET must be whsec_/);
    try {
      attempt();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(value);
    }
  });

  it('parses URLs, events and the secret; a worker with URLs needs the secret', () => {
    const config = loadConfig({
      NEUPUSH_WEBHOOK_URL: 'https://a.example/hook, http://127.0.0.1:9/x?token=t,https://a.example/hook',
      NEUPUSH_WEBHOOK_EVENTS: 'delivery.succeeded,campaign.completed',
      NEUPUSH_WEBHOOK_SECRET: secret,
    });
    expect(config.webhookUrls).toEqual(['https://a.example/hook', 'http://127.0.0.1:9/x?token=t']);
    expect(config.webhookEvents).toEqual(['delivery.succeeded', 'campaign.completed']);
    expect(requireWebhookKey(config)).toHaveLength(32);
    expect(() => requireWebhookKey(loadConfig({ NEUPUSH_WEBHOOK_URL: 'https://a.example/hook' }))).toThrow(/NEUPUSH_WEBHOOK_SECRET must be set/);
    expect(loadConfig({}).webhookEvents).toContain('activity.removed');
    expect(loadConfig({}).webhookUrls).toEqual([]);
  });

  it('refuses a URL that is not http(s) and an unknown event type, without echoing the URL', () => {
    expect(() => loadConfig({ NEUPUSH_WEBHOOK_URL: 'https://ok.example,ftp://x.example/secret-token' })).toThrow(
      /NEUPUSH_WEBHOOK_URL must be a comma-separated list of http\(s\) URLs \(entry 2 is not\)/,
    );
    expect(() => loadConfig({ NEUPUSH_WEBHOOK_URL: 'ftp://x.example/secret-token' })).not.toThrow(/secret-token/);
    expect(() => loadConfig({ NEUPUSH_WEBHOOK_EVENTS: 'delivery.succeeded,delivery.failed' })).toThrow(/NEUPUSH_WEBHOOK_EVENTS must be all or .*not delivery\.failed/);
  });
});
