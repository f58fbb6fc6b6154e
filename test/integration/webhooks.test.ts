import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/shared/config.js';
import { openWebhookQueue } from '../../src/shared/queues.js';
import type { CampaignEventData, DeadLetteredEventData, DeliveryEventData } from '../../src/shared/webhook-events.js';
import { jobIdsOf, startPipeline, type Pipeline, type PipelineOptions } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { freePort } from '../helpers/redis-server.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const BASE = { text: 'Body', navigateType: 1, language: 'en_US' } as const;
const PHONE = '501234567';
const byPhone = { title: 'Code', text: 'Your code is 1234', navigateType: 2, url: 'https://example.com/', rulesType: 2, countryCode: '+966', mobileNumber: PHONE } as const;

let pipeline: Pipeline | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  // The receiver first: a hanging request ends at once (ECONNRESET), so the worker has nothing to wait for.
  await receiver?.close();
  await pipeline?.close();
  pipeline = undefined;
  receiver = undefined;
});

async function withWebhooks(config: Partial<Config> = {}, options: Omit<PipelineOptions, 'config'> = {}): Promise<Pipeline> {
  receiver ??= await startWebhookReceiver(secret);
  pipeline = await startPipeline({ ...options, config: { webhookUrls: [receiver.url], webhookSecret: secret, ...config } });
  return pipeline;
}

const ofType = <T>(type: string) => (receiver?.received ?? []).filter((r) => r.event.type === type).map((r) => r.event.data as T);

async function webhookJobs(p: Pipeline, state: 'completed' | 'active' | 'delayed' | 'wait') {
  const queue = openWebhookQueue({ ...(p.config as Config) }, p.redis as unknown as Redis);
  try {
    return await queue.getJobs([state]);
  } finally {
    await queue.close();
  }
}

describe('webhooks', () => {
  it('signs every event so the standardwebhooks package verifies it, and sends no secret or personal data', async () => {
    const p = await withWebhooks({}, { sandbox: { faults: [{ match: { title: 'Refused' }, headerStatus: 400, msg: 'bad parameters' }] } });
    const sends = await Promise.all([
      p.producer.send({ ...BASE, title: 'Delivered', openIds: ['u-1', 'u-2'] }),
      p.producer.send({ ...BASE, title: 'Refused', openIds: ['u-3'] }),
      p.producer.send(byPhone),
    ]);
    await p.waitForJobs(sends.flatMap(jobIdsOf), 20_000);
    await waitUntil(() => receiver!.received.length >= 3, { message: 'three webhook events' });

    const received = receiver!.received;
    expect(received.every((r) => r.verified)).toBe(true);
    expect(received.map((r) => r.event.type).sort()).toEqual(['delivery.dead_lettered', 'delivery.succeeded', 'delivery.succeeded']);
    const delivered = ofType<DeliveryEventData>('delivery.succeeded').find((d) => d.notificationId === sends[0]!.id);
    expect(delivered).toMatchObject({ kind: 'notification', deliveryKey: `${sends[0]!.id}.0`, openIdCount: 2, attempts: 1 });
    expect(delivered).not.toHaveProperty('openIds');
    expect(ofType<DeadLetteredEventData>('delivery.dead_lettered')[0]).toMatchObject({
      notificationId: sends[1]!.id,
      reason: 'rejected',
      lastError: expect.stringContaining('bad parameters'),
      openIdCount: 1,
    });

    const key = secret.slice('whsec_'.length);
    const bodies = received.map((r) => r.body).join('\n');
    for (const forbidden of ['u-1', 'u-3', PHONE, key, 'Your code']) expect(bodies).not.toContain(forbidden);
    const logs = p.logs.text();
    for (const forbidden of [key, PHONE, 't0ken-in-url', ...received.map((r) => r.signature.slice(3))]) expect(logs).not.toContain(forbidden);
    const stored = JSON.stringify(await webhookJobs(p, 'completed'));
    for (const forbidden of [key, 't0ken-in-url', '127.0.0.1', ...received.map((r) => r.signature.slice(3))]) expect(stored).not.toContain(forbidden);
  });

  it('a receiver that fails twice gets the same event (same webhook-id) three times, and then no more', async () => {
    receiver = await startWebhookReceiver(secret, (n) => (n < 2 ? 503 : 200));
    const p = await withWebhooks({ webhookEvents: ['delivery.succeeded'] });
    const sent = await p.producer.send({ ...BASE, title: 'Once', openIds: ['u-1'] });
    await p.waitForJobs(jobIdsOf(sent));
    await waitUntil(async () => (await webhookJobs(p, 'completed')).length === 1, { message: 'the webhook job to complete' });

    const ids = receiver.received.map((r: ReceivedWebhook) => r.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('a dead receiver never delays a delivery', async () => {
    receiver = await startWebhookReceiver(secret, () => 'hang');
    // The longest timeout: were deliveries waiting on the receiver, none would finish within waitForJobs' bound.
    const p = await withWebhooks({ webhookTimeoutMs: 15_000 });
    const sends = await Promise.all(Array.from({ length: 20 }, (_, i) => p.producer.send({ ...BASE, title: `N${i}`, openIds: [`u-${i}`] })));
    const outcomes = await p.waitForJobs(sends.flatMap(jobIdsOf));
    expect(outcomes.every((o) => o.status === 'delivered')).toBe(true);
    // Every delivery is done while the receiver holds the events it was sent, unanswered.
    await waitUntil(() => receiver!.hanging() > 0, { message: 'the receiver to hold a request' });
    expect(receiver.received.length).toBe(receiver.hanging());
    expect(await webhookJobs(p, 'completed')).toHaveLength(0);
  });

  it("events of a campaign add up to its final counts, and campaign.completed carries them", async () => {
    const p = await withWebhooks({ chunkSize: 10 }, { sandbox: { faults: [{ match: { openId: 'c7' }, headerStatus: 400, msg: 'bad parameters' }] } });
    const recipients = Array.from({ length: 95 }, (_, i) => `c${i}`);
    await p.producer.createCampaign({ id: 'adds-up', notification: { ...BASE, title: 'Sale' }, recipients });
    await waitUntil(() => ofType('campaign.completed').length > 0, { timeoutMs: 20_000, message: 'campaign.completed' });
    const status = (await p.producer.getCampaign('adds-up'))!;
    await waitUntil(() => ofType<DeliveryEventData>('delivery.succeeded').length + ofType('delivery.dead_lettered').length === status.jobs, {
      message: 'one delivery event per chunk',
    });

    const sum = (list: DeliveryEventData[]) => list.filter((d) => d.campaignId === 'adds-up').reduce((n, d) => n + d.openIdCount, 0);
    expect(sum(ofType<DeliveryEventData>('delivery.succeeded'))).toBe(status.sent);
    expect(sum(ofType<DeliveryEventData>('delivery.dead_lettered'))).toBe(status.failed);
    expect(status).toMatchObject({ sent: 85, failed: 10, cancelled: 0, pending: 0 });
    const completed = ofType<CampaignEventData>('campaign.completed');
    expect(completed).toEqual([{ campaignId: 'adds-up', recipients: 95, sent: 85, failed: 10, cancelled: 0, pending: 0 }]);
    expect(receiver!.received.every((r) => r.verified)).toBe(true);
  });

  it('a cancel sends campaign.cancelled with its counts, and no campaign.completed', async () => {
    const p = await withWebhooks();
    const recipients = Array.from({ length: 30 }, (_, i) => `k${i}`);
    await p.producer.createCampaign({ id: 'called-off', notification: { ...BASE, title: 'Later' }, recipients, sendAt: new Date(Date.now() + 3_600_000) });
    const result = await p.producer.cancelCampaign('called-off');
    await waitUntil(() => ofType('campaign.cancelled').length > 0, { message: 'campaign.cancelled' });
    expect(ofType<CampaignEventData>('campaign.cancelled')).toEqual([
      { campaignId: 'called-off', recipients: 30, sent: 0, failed: 0, cancelled: 30, pending: 0 },
    ]);
    expect(result.cancelled).toBe(30);
    expect(ofType('campaign.completed')).toEqual([]);
  });

  it('a receiver that refuses an event dead-letters it with the reason; redrive sends the same webhook-id again', async () => {
    receiver = await startWebhookReceiver(secret, () => 400);
    const p = await withWebhooks({ webhookEvents: ['delivery.succeeded'], metricsPort: await freePort() });
    const sent = await p.producer.send({ ...BASE, title: 'Refused hook', openIds: ['u-1'] });
    await p.waitForJobs(jobIdsOf(sent));
    let failed = await p.producer.listWebhookDeadLetters();
    await waitUntil(async () => (failed = await p.producer.listWebhookDeadLetters()).length === 1, { message: 'a webhook dead letter' });
    expect(failed[0]).toMatchObject({ reason: 'rejected', attempts: 1, lastHttpStatus: 400, type: 'delivery.succeeded', webhookId: receiver.received[0]!.id });
    // The webhook queues are in the queue-depth gauge beside the delivery queues.
    const metrics = await (await fetch(`${p.workers[0]!.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('neupush_queue_jobs{queue="webhook-dead-letters",state="waiting"} 1');
    expect(metrics).toMatch(/neupush_queue_jobs\{queue="webhooks",state="completed"\} \d/);

    receiver.answer = () => 204;
    expect(await p.producer.redriveWebhookDeadLetters('all')).toEqual({ redriven: 1, skipped: [] });
    await waitUntil(() => receiver!.received.length === 2, { message: 'the redriven event' });
    expect(receiver.received[1]).toMatchObject({ id: receiver.received[0]!.id, body: receiver.received[0]!.body, verified: true });
    expect(await p.producer.listWebhookDeadLetters()).toEqual([]);
    await expect(p.producer.redriveWebhookDeadLetters(['nope:x'])).rejects.toThrow(/ids\.0: must be msg_/);
  });
});
