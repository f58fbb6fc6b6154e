import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { settledCampaign } from '../helpers/campaign-audience.js';
import { ValidationError } from '../../src/shared/errors.js';
import { frequencyCapKey } from '../../src/worker/frequency-cap.js';
import type { CampaignEventData, DeliveryEventData } from '../../src/shared/webhook-events.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { randomBytes } from 'node:crypto';

const DAY = 86_400_000;
const note = (title: string) => ({ title, text: 'Everything half price today', navigateType: '1', language: 'en_US', link: 'pages/sale' }) as const;

let pipeline: Pipeline | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await pipeline?.close();
  pipeline = undefined;
  receiver = undefined;
});

const requestsTitled = (p: Pipeline, title: string) => p.sandbox.accepted.filter((r) => r.params.title === title);
const users = (n: number, tag = 'u') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

describe('frequency caps', () => {
  it('a second campaign to the same users under 1/24h sends nothing and counts them all capped, with two workers racing', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 7, frequencyCap: { max: 1, perMs: DAY } }, logLevel: 'warn' });
    await pipeline.startWorker();
    const audience = users(60);

    // The deployment default (1/24h) applies: the first campaign sets no cap.
    await pipeline.producer.createCampaign({ id: 'first', notification: note('First'), recipients: audience });
    const first = await settledCampaign(pipeline, 'first');
    expect(first).toMatchObject({ state: 'completed', recipients: 60, sent: 60, capped: 0, frequencyCap: '1/24h' });
    expect(requestsTitled(pipeline, 'First').flatMap((r) => r.openIds).sort()).toEqual([...audience].sort());

    // Both workers take the second campaign's 9 chunks at once: none of its users may get through.
    await pipeline.producer.createCampaign({ id: 'second', notification: note('Second'), recipients: audience, frequencyCap: { max: 1, per: '24h' } });
    const second = await settledCampaign(pipeline, 'second');
    expect(second).toMatchObject({ state: 'completed', recipients: 60, sent: 0, failed: 0, capped: 60, pending: 0 });
    expect(requestsTitled(pipeline, 'Second')).toEqual([]);
    // 60 recipients in chunks of 7: 9 requests for the first campaign, 9 chunks capped whole for the second.
    // A chunk's counters move just before its job completes: wait for the last completions.
    const statuses = () => [...(pipeline as Pipeline).outcomes.values()].map((o) => o.status);
    await waitUntil(() => statuses().length === 18, { message: 'all 18 delivery jobs to complete' });
    expect(statuses().filter((s) => s === 'capped')).toHaveLength(9);
    expect(statuses().filter((s) => s === 'delivered')).toHaveLength(9);
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);

    // A campaign may opt out of the default.
    await pipeline.producer.createCampaign({ id: 'third', notification: note('Third'), recipients: audience.slice(0, 5), frequencyCap: false });
    expect(await settledCampaign(pipeline, 'third')).toMatchObject({ sent: 5, capped: 0 });
    expect(requestsTitled(pipeline, 'Third')).toHaveLength(1);
  });

  it('two campaigns racing for the same users under 1/24h let each user through once', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 5 }, logLevel: 'warn' });
    await pipeline.startWorker();
    const audience = users(40, 'r');
    const cap = { max: 1, per: '24h' };
    await Promise.all([
      pipeline.producer.createCampaign({ id: 'race-a', notification: note('Race A'), recipients: audience, frequencyCap: cap }),
      pipeline.producer.createCampaign({ id: 'race-b', notification: note('Race B'), recipients: audience, frequencyCap: cap }),
    ]);
    const [a, b] = [await settledCampaign(pipeline, 'race-a'), await settledCampaign(pipeline, 'race-b')];
    expect(a.sent + b.sent).toBe(40);
    expect(a.capped + b.capped).toBe(40);
    const sentTo = [...requestsTitled(pipeline, 'Race A'), ...requestsTitled(pipeline, 'Race B')].flatMap((r) => r.openIds);
    expect(sentTo.sort()).toEqual([...audience].sort());
  });

  it('a partly capped chunk sends only to the others, and counts capped per language', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 100 }, logLevel: 'warn' });
    const cap = { max: 2, per: '1h' };
    const once = users(4, 'p');
    await pipeline.producer.createCampaign({ id: 'p1', notification: note('P1'), recipients: once, frequencyCap: cap });
    await pipeline.producer.createCampaign({ id: 'p2', notification: note('P2'), recipients: once.slice(0, 2), frequencyCap: cap });
    await settledCampaign(pipeline, 'p1');
    await settledCampaign(pipeline, 'p2');
    // p0 and p1 have had 2 in the hour, p2 and p3 one: the third campaign reaches p2, p3 and the new ones.
    const recipients = [...once, 'fresh0', 'fresh1'].map((openId) => ({ openId, language: 'en_US' as const }));
    await pipeline.producer.createCampaign({ id: 'p3', notification: note('P3'), recipients, frequencyCap: cap });
    const status = await settledCampaign(pipeline, 'p3');
    expect(status).toMatchObject({ state: 'completed', recipients: 6, sent: 4, capped: 2, pending: 0 });
    expect(status.byLanguage?.en_US).toEqual({ recipients: 6, sent: 4, failed: 0, cancelled: 0, capped: 2, pending: 0 });
    const requests = requestsTitled(pipeline, 'P3');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.openIds).toEqual(['p2', 'p3', 'fresh0', 'fresh1']);
  });

  it('one-off sends are neither capped nor counted by default; with frequencyCap: true they are', async () => {
    pipeline = await startPipeline({ config: { frequencyCap: { max: 1, perMs: DAY } }, logLevel: 'warn' });
    const key = frequencyCapKey(pipeline.prefix, 'solo');
    const plain = await pipeline.producer.send({ ...note('Code'), openIds: ['solo'] });
    expect(await pipeline.waitForJobs(jobIdsOf(plain))).toEqual([{ status: 'delivered', recipients: 1 }]);
    expect(await pipeline.redis.exists(key)).toBe(0);

    const counted = await pipeline.producer.send({ ...note('Promo 1'), openIds: ['solo', 'other'] }, { frequencyCap: true });
    expect(await pipeline.waitForJobs(jobIdsOf(counted))).toEqual([{ status: 'delivered', recipients: 2 }]);
    // The record expires on its own, a window after its newest entry.
    const pttl = await pipeline.redis.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(DAY);

    const capped = await pipeline.producer.send({ ...note('Promo 2'), openIds: ['solo'] }, { frequencyCap: true });
    expect(await pipeline.waitForJobs(jobIdsOf(capped))).toEqual([{ status: 'capped', capped: 1 }]);
    // Still sent without the option: a transactional send is never held by a cap.
    const again = await pipeline.producer.send({ ...note('Receipt'), openIds: ['solo'] });
    expect(await pipeline.waitForJobs(jobIdsOf(again))).toEqual([{ status: 'delivered', recipients: 1 }]);
    expect(requestsTitled(pipeline, 'Promo 2')).toEqual([]);
    expect(requestsTitled(pipeline, 'Receipt')).toHaveLength(1);

  });

  it('refuses frequencyCap: true on a send when no default is set, naming the field', async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    const error = await pipeline.producer.send({ ...note('X'), openIds: ['a'] }, { frequencyCap: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.field).toBe('frequencyCap');
    const bad = await pipeline.producer.send({ ...note('X'), openIds: ['a'] }, { frequencyCap: { max: 0, per: '24h' } }).catch((e: unknown) => e);
    expect((bad as ValidationError).issues.map((i) => i.field)).toEqual(['frequencyCap.max']);
    const campaign = await pipeline.producer
      .createCampaign({ notification: note('X'), recipients: ['a'], frequencyCap: { max: 2, per: '31d' } })
      .catch((e: unknown) => e);
    expect((campaign as ValidationError).issues.map((i) => i.field)).toEqual(['frequencyCap.per']);
  });

  it('a retry of the same delivery is not capped against itself, and counts once', async () => {
    pipeline = await startPipeline({ config: { frequencyCap: { max: 1, perMs: DAY } }, logLevel: 'warn' });
    pipeline.sandbox.setFaults([{ match: { title: 'Flaky' }, times: 2, httpStatus: 503 }]);
    const sent = await pipeline.producer.send({ ...note('Flaky'), openIds: ['retry-me', 'and-me'] }, { frequencyCap: true });
    expect(await pipeline.waitForJobs(jobIdsOf(sent))).toEqual([{ status: 'delivered', recipients: 2 }]);
    expect(pipeline.sandbox.stats()).toMatchObject({ faulted: 2, accepted: 1 });
    expect(await pipeline.redis.zcard(frequencyCapKey(pipeline.prefix, 'retry-me'))).toBe(1);
  });

  it('delivery.succeeded counts the openIds actually sent, and campaign.completed the capped', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    receiver = await startWebhookReceiver(secret);
    pipeline = await startPipeline({ config: { chunkSize: 100, webhookUrls: [receiver.url], webhookSecret: secret }, logLevel: 'warn' });
    const cap = { max: 1, per: '24h' };
    await pipeline.producer.createCampaign({ id: 'w1', notification: note('W1'), recipients: ['a', 'b'], frequencyCap: cap });
    await settledCampaign(pipeline, 'w1');
    await pipeline.producer.createCampaign({ id: 'w2', notification: note('W2'), recipients: ['a', 'b', 'c'], frequencyCap: cap });
    await settledCampaign(pipeline, 'w2');
    const events = () => (receiver as WebhookReceiver).received.map((r) => r.event);
    await waitUntil(() => events().filter((e) => e.type === 'campaign.completed').length === 2, { message: 'two campaign.completed events' });
    const succeeded = events().filter((e) => e.type === 'delivery.succeeded').map((e) => e.data as DeliveryEventData);
    expect(succeeded.find((d) => d.campaignId === 'w2')).toMatchObject({ openIdCount: 1 });
    const completed = events().filter((e) => e.type === 'campaign.completed').map((e) => e.data as CampaignEventData);
    expect(completed.find((d) => d.campaignId === 'w2')).toEqual({ campaignId: 'w2', recipients: 3, sent: 1, failed: 0, cancelled: 0, capped: 2, pending: 0 });
  });

  it("measures the window on the worker's clock: a fake hour later the user is let through again", async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    let offset = 0;
    await pipeline.startWorker({ localClock: { now: () => Date.now() + offset } });
    const cap = { frequencyCap: { max: 1, per: '1h' }, expiresIn: '3h' } as const;
    const first = await pipeline.producer.send({ ...note('Clock 1'), openIds: ['clocked'] }, cap);
    expect(await pipeline.waitForJobs(jobIdsOf(first))).toEqual([{ status: 'delivered', recipients: 1 }]);
    const second = await pipeline.producer.send({ ...note('Clock 2'), openIds: ['clocked'] }, cap);
    expect(await pipeline.waitForJobs(jobIdsOf(second))).toEqual([{ status: 'capped', capped: 1 }]);
    offset = 3_600_000 + 1_000;
    const third = await pipeline.producer.send({ ...note('Clock 3'), openIds: ['clocked'] }, cap);
    expect(await pipeline.waitForJobs(jobIdsOf(third))).toEqual([{ status: 'delivered', recipients: 1 }]);
  });

  it('a partly capped delivery that is dead-lettered keeps only the openIds let through, and its redrive sends only those', async () => {
    pipeline = await startPipeline({ config: { frequencyCap: { max: 1, perMs: DAY } }, logLevel: 'warn' });
    const before = await pipeline.producer.send({ ...note('Before'), openIds: ['seen'] }, { frequencyCap: true });
    await pipeline.waitForJobs(jobIdsOf(before));
    pipeline.sandbox.setFaults([{ match: { title: 'Refused once' }, times: 1, headerStatus: 400, msg: 'bad parameters' }]);
    const refused = await pipeline.producer.send({ ...note('Refused once'), openIds: ['seen', 'new'] }, { frequencyCap: true });
    const [entry] = await pipeline.waitForDeadLetters(1);
    expect(entry).toMatchObject({ reason: 'rejected', recipients: 1, notification: { openIds: ['new'] } });
    await pipeline.producer.redriveDeadLetters('all');
    await pipeline.sandbox.waitFor((s) => s.accepted.some((r) => r.params.title === 'Refused once'));
    expect(requestsTitled(pipeline, 'Refused once').map((r) => r.openIds)).toEqual([['new']]);
    expect(refused.jobs).toBe(1);
  });
});
