import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/neuxnet/sign.js';
import { ValidationError } from '../../src/shared/errors.js';
import type { ActivityRemovedEventData, DeadLetteredEventData, DeliveryEventData } from '../../src/shared/webhook-events.js';
import type { ActivityResult } from '../../src/producer/activity-send.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

const CARD = {
  title: 'Boarding pass',
  text: 'Gate 12, boarding 09:40',
  color: '1A2B3C',
  templateId: '1',
  iconUrl: 'https://example.com/icon.png',
  path: 'pages/trip/detail?id=7',
  language: 'en_US',
} as const;

let pipeline: Pipeline | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await pipeline?.close();
  pipeline = undefined;
  receiver = undefined;
});

/** Show jobs are `${id}.show.<chunk>`, remove jobs `${id}.remove.<chunk>`. */
const showJobs = (r: ActivityResult, n = 1) => Array.from({ length: n }, (_, i) => `${r.id}.show.${i}`);
const removeJobs = (r: ActivityResult, n = 1) => Array.from({ length: n }, (_, i) => `${r.id}.remove.${i}`);

describe('activity cards (sendActivity)', () => {
  it('sends every field of the spec, signed, chunked with one activityId for the whole audience', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 2 } });
    const p = pipeline;
    const shown = await p.producer.showActivity({ ...CARD, activityId: 'trip-7', openIds: ['u-1', 'u-2', 'u-3'] }, { validityTime: 120 });
    expect(shown).toMatchObject({ activityId: 'trip-7', jobs: 2, duplicate: false });
    const outcomes = await p.waitForJobs(showJobs(shown, 2));
    expect(outcomes).toEqual([
      { status: 'delivered', recipients: 2 },
      { status: 'delivered', recipients: 1 },
    ]);
    const requests = p.sandbox.activities;
    expect(requests.map((r) => r.openIds).sort()).toEqual([['u-1', 'u-2'], ['u-3']]);
    for (const { params } of requests) {
      const { sign: signature, ...signed } = params;
      expect(signature).toBe(sign(signed, p.secret));
      expect(signed).toMatchObject({ ...CARD, appid: p.appid, activityId: 'trip-7', status: '1', validityTime: '120' });
      expect(Object.keys(params).sort()).toEqual(
        ['activityId', 'appid', 'color', 'iconUrl', 'language', 'openIds', 'path', 'sign', 'status', 'templateId', 'text', 'timestamp', 'title', 'validityTime'].sort(),
      );
    }
    expect(p.sandbox.accepted).toHaveLength(0);
    // The same records, through the control API a sandbox in another process is read with.
    const viaControl = (await (await fetch(`${p.sandbox.url}/_sandbox/activities`)).json()) as unknown[];
    expect(viaControl).toHaveLength(2);
  });

  it('computes the validity of `until` at the moment of sending, and dead-letters a card whose until has passed as expired', async () => {
    pipeline = await startPipeline({ worker: false });
    const p = pipeline;
    const now = Date.now();
    const late = await p.producer.showActivity({ ...CARD, activityId: 'late', openIds: ['u-1'] }, { until: new Date(now + 120_000) });
    const gone = await p.producer.showActivity({ ...CARD, activityId: 'gone', openIds: ['u-2'] }, { until: new Date(now + 30_000) });
    // A worker 60 s ahead: the first card is sent a minute late and must still end on time; the second has ended.
    await p.startWorker({ localClock: { now: () => Date.now() + 60_000 } });
    await p.waitForJobs([...showJobs(late), ...showJobs(gone)]);
    expect(p.sandbox.activities).toHaveLength(1);
    const validity = Number(p.sandbox.activities[0]?.params.validityTime);
    expect(validity).toBeGreaterThanOrEqual(55);
    expect(validity).toBeLessThanOrEqual(60);
    const [letter] = await p.waitForDeadLetters(1);
    expect(letter).toMatchObject({ reason: 'expired', kind: 'activity', activityId: 'gone', recipients: 1 });
  });

  it('remove wins: a show still retrying when its remove fires is dropped as superseded, and no show lands after the remove', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    receiver = await startWebhookReceiver(secret);
    pipeline = await startPipeline({
      config: { attempts: 1_000, backoffMs: 100, webhookUrls: [receiver.url], webhookSecret: secret },
      // Every show fails retryably; removes are answered normally.
      sandbox: { faults: [{ match: { status: '1' }, httpStatus: 503 }] },
    });
    const p = pipeline;
    const shown = await p.producer.showActivity({ ...CARD, activityId: 'order-9', openIds: ['u-1', 'u-2'] }, { validityTime: 3_600 });
    await p.sandbox.waitFor((s) => s.stats().faulted >= 2, 10_000);

    const removed = await p.producer.removeActivity('order-9', ['u-1', 'u-2']);
    const [removeOutcome] = await p.waitForJobs(removeJobs(removed));
    expect(removeOutcome).toEqual({ status: 'delivered', recipients: 2 });
    // The platform is healthy again: had the show not been superseded, its next attempt would land now.
    p.sandbox.setFaults([]);
    const [showOutcome] = await p.waitForJobs(showJobs(shown), 10_000);
    expect(showOutcome).toEqual({ status: 'dead-lettered', reason: 'superseded' });

    expect(p.sandbox.activities.map((r) => r.params.status)).toEqual(['0']);
    const [letter] = await p.waitForDeadLetters(1);
    expect(letter).toMatchObject({ reason: 'superseded', activityId: 'order-9', lastError: expect.stringContaining('removed') });

    // The webhook events of both, from the real receiver that verifies every signature.
    await waitUntil(() => receiver!.received.length >= 3, { message: 'three webhook events' });
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const of = <T>(type: string) => receiver!.received.filter((r) => r.event.type === type).map((r) => r.event.data as T);
    expect(of<DeliveryEventData>('delivery.succeeded')).toEqual([
      expect.objectContaining({ kind: 'activity', notificationId: 'order-9', deliveryKey: `${removed.id}.remove.0`, openIdCount: 2 }),
    ]);
    expect(of<ActivityRemovedEventData>('activity.removed')).toEqual([expect.objectContaining({ activityId: 'order-9', openIdCount: 2 })]);
    expect(of<DeadLetteredEventData>('delivery.dead_lettered')).toEqual([
      expect.objectContaining({ kind: 'activity', notificationId: 'order-9', reason: 'superseded' }),
    ]);
  });

  it('a show redriven after its remove is still superseded; a superseded show is not redriven', async () => {
    pipeline = await startPipeline({ config: { attempts: 1 }, sandbox: { faults: [{ match: { status: '1' }, httpStatus: 503, times: 1 }] } });
    const p = pipeline;
    const shown = await p.producer.showActivity({ ...CARD, activityId: 'coupon-1', openIds: ['u-1'] }, { validityTime: 600 });
    expect(await p.waitForJobs(showJobs(shown))).toEqual([{ status: 'dead-lettered', reason: 'exhausted' }]);
    const removed = await p.producer.removeActivity('coupon-1', ['u-1']);
    await p.waitForJobs(removeJobs(removed));

    expect(await p.producer.redriveDeadLetters('all')).toEqual({ redriven: 1, skipped: [] });
    const [again] = await p.waitForJobs([`${shown.id}.show.0.r1`]);
    expect(again).toEqual({ status: 'dead-lettered', reason: 'superseded' });
    expect(p.sandbox.activities.map((r) => r.params.status)).toEqual(['0']);
    const result = await p.producer.redriveDeadLetters('all');
    expect(result).toEqual({ redriven: 0, skipped: [{ id: `${shown.id}.show.0.r1`, why: expect.stringContaining('superseded') }] });
  });

  it('removeAt schedules the remove; a show still pending when it is due is superseded without a call', async () => {
    pipeline = await startPipeline({ worker: false });
    const p = pipeline;
    const now = Date.now();
    const shown = await p.producer.showActivity({ ...CARD, openIds: ['u-1'] }, { validityTime: 600, removeAt: new Date(now + 5_000) });
    expect(shown.activityId).toMatch(/^a-/);
    expect(shown.jobs).toBe(2);
    // The worker starts after the remove is due (its local clock 10 s ahead), with the show still queued.
    await p.startWorker({ localClock: { now: () => Date.now() + 10_000 } });
    const delayed = await p.producer.deliveries.getDelayed();
    await Promise.all(delayed.map((j) => j.promote()));
    const [show, remove] = await p.waitForJobs([...showJobs(shown), ...removeJobs(shown)]);
    expect(show).toEqual({ status: 'dead-lettered', reason: 'superseded' });
    expect(remove).toEqual({ status: 'delivered', recipients: 1 });
    expect(p.sandbox.activities.map((r) => [r.params.status, r.params.validityTime, r.params.title])).toEqual([['0', '0', CARD.title]]);
  });

  it('refuses bad cards and options at the edge, naming the field, before anything is queued', async () => {
    pipeline = await startPipeline({ worker: false });
    const p = pipeline;
    const refused = async (fn: () => Promise<unknown>) => {
      const error = await fn().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => i.field);
    };
    const ok = { ...CARD, openIds: ['u-1'] };
    expect(await refused(() => p.producer.showActivity({ ...ok, color: '#FFFFFF' }, { validityTime: 60 }))).toEqual(['color']);
    expect(await refused(() => p.producer.showActivity({ ...ok, iconUrl: 'ftp://x/y.png' }, { validityTime: 60 }))).toEqual(['iconUrl']);
    expect(await refused(() => p.producer.showActivity({ ...ok, language: 'fr_FR' as 'en_US' }, { validityTime: 60 }))).toEqual(['language']);
    expect(await refused(() => p.producer.showActivity({ ...ok, status: 1 } as typeof ok, { validityTime: 60 }))).toEqual(['status']);
    expect(await refused(() => p.producer.showActivity({ ...ok, activityId: 'a:b' }, { validityTime: 60 }))).toEqual(['activityId']);
    expect(await refused(() => p.producer.showActivity({ ...CARD }, { validityTime: 60 }))).toEqual(['openIds']);
    expect(await refused(() => p.producer.showActivity(ok, {}))).toEqual(['validityTime']);
    expect(await refused(() => p.producer.showActivity(ok, { validityTime: 60, until: new Date(Date.now() + 60_000) }))).toEqual(['until']);
    expect(await refused(() => p.producer.removeActivity('never-shown', ['u-1']))).toEqual(['activityId']);
    expect(await p.producer.deliveries.count()).toBe(0);
  });

  it('an idempotency key gives the same activityId and queues once', async () => {
    pipeline = await startPipeline({ worker: false });
    const p = pipeline;
    const first = await p.producer.showActivity({ ...CARD, openIds: ['u-1'] }, { validityTime: 60, idempotencyKey: 'trip-7-card' });
    const again = await p.producer.showActivity({ ...CARD, openIds: ['u-1'] }, { validityTime: 60, idempotencyKey: 'trip-7-card' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(first.activityId).toMatch(/^a-[0-9a-f]{32}$/);
    expect(await p.producer.deliveries.count()).toBe(1);
  });

  it('a campaign shows one card to a large audience: every chunk carries the same activityId, counted like notifications', async () => {
    // A deployment cap of one a day: activity cards are no notifications, so it does not touch them.
    pipeline = await startPipeline({ config: { chunkSize: 2, frequencyCap: { max: 1, perMs: 86_400_000 } } });
    const p = pipeline;
    const recipients = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'];
    const { openIds: _none, ...card } = { ...CARD, openIds: undefined };
    const created = await p.producer.createCampaign({ id: 'trip-day', activity: card, recipients, validityTime: 300 });
    expect(created).toMatchObject({ id: 'trip-day', recipients: 5, jobs: 3 });
    await waitUntil(async () => (await p.producer.getCampaign('trip-day'))?.state === 'completed', { timeoutMs: 10_000, message: 'campaign completed' });
    expect(await p.producer.getCampaign('trip-day')).toMatchObject({ sent: 5, failed: 0 });
    const requests = p.sandbox.activities;
    expect(requests.map((r) => r.params.activityId)).toEqual(['trip-day', 'trip-day', 'trip-day']);
    expect(requests.flatMap((r) => r.openIds).sort()).toEqual(recipients);
    expect(requests.every((r) => r.params.status === '1' && r.params.validityTime === '300')).toBe(true);
    // The campaign's card is kept for its remove, which sends every field again with status 0.
    const removed = await p.producer.removeActivity('trip-day', ['u-1']);
    await p.waitForJobs(removeJobs(removed));
    expect(p.sandbox.activities.at(-1)?.params).toMatchObject({ activityId: 'trip-day', status: '0', title: CARD.title, openIds: 'u-1' });

    const both = await p.producer.createCampaign({ activity: card, notification: { title: 'x', text: 'y', navigateType: 1, language: 'en_US' }, recipients, validityTime: 60 }).catch((e: unknown) => e);
    expect(both).toBeInstanceOf(ValidationError);
    expect((both as ValidationError).issues.map((i) => i.field)).toEqual(['activity']);
    const noValidity = await p.producer.createCampaign({ activity: card, recipients }).catch((e: unknown) => e);
    expect((noValidity as ValidationError).issues.map((i) => i.field)).toEqual(['validityTime']);
    const capped = await p.producer.createCampaign({ activity: card, recipients, validityTime: 60, frequencyCap: { max: 1, per: '24h' } }).catch((e: unknown) => e);
    expect((capped as ValidationError).issues).toEqual([{ field: 'frequencyCap', rule: 'applies to notifications, not to activity cards' }]);
    expect((await p.producer.getCampaign('trip-day'))?.frequencyCap).toBeUndefined();
  });
});
