import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { Job } from 'bullmq';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { settledCampaign } from '../helpers/campaign-audience.js';
import { CAMPAIGN_BATCH_SIZE, CampaignBusyError, enqueueChunks, type CampaignCreated } from '../../src/producer/campaign-create.js';
import { campaignContext } from '../../src/producer/campaign-context.js';
import { CampaignRun } from '../../src/producer/campaign-run.js';
import { resolveCampaignSpec } from '../../src/producer/campaign-options.js';
import { planBatch } from '../../src/producer/campaign-plan.js';
import type { CampaignStatus } from '../../src/shared/campaign-status.js';
import { IdempotencyConflictError, ValidationError } from '../../src/shared/errors.js';
import { nextLocalTime } from '../../src/shared/time.js';
import { notificationOf, type NotificationJobData } from '../../src/shared/job-data.js';

const NOTE = { title: 'Spring sale', text: 'Everything half price today', navigateType: '1', language: 'en_US' } as const;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const ids = (n: number, tag = 'u') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

/** Every openId the sandbox accepted, with how often. */
function acceptedCounts(p: Pipeline): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of p.sandbox.accepted) for (const id of a.openIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

function expectCountsAddUp(s: CampaignStatus): void {
  expect(s.sent + s.failed + s.cancelled + s.pending).toBe(s.recipients);
}

describe('campaigns', () => {
  it('delivers 50,000 recipients, each exactly once, with counts that add up', async () => {
    pipeline = await startPipeline({ config: { rateLimit: 100_000, concurrency: 50, metricsPort: 0 }, logLevel: 'warn' });
    const audience = ids(50_000);
    let progressCalls = 0;
    // Repeats (within a batch and across batches) get the notification once.
    function* recipients() {
      yield* audience;
      for (let i = 0; i < 1_000; i++) yield audience[i * 37] as string;
    }
    const created = await pipeline.producer.createCampaign({
      id: 'fifty-k',
      notification: NOTE,
      recipients: recipients(),
      onProgress: () => progressCalls++,
    });
    expect(created).toEqual({ id: 'fifty-k', recipients: 50_000, jobs: 500, read: 51_000, existing: false, cancelled: false });
    expect(progressCalls).toBe(Math.ceil(51_000 / CAMPAIGN_BATCH_SIZE));

    const status = await settledCampaign(pipeline, 'fifty-k', 60_000);
    expect(status).toMatchObject({ state: 'completed', recipients: 50_000, sent: 50_000, failed: 0, cancelled: 0, pending: 0, jobs: 500 });
    const counts = acceptedCounts(pipeline);
    expect(counts.size).toBe(50_000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(audience.every((id) => counts.has(id))).toBe(true);
    expect(pipeline.sandbox.accepted.every((a) => a.openIds.length <= 100)).toBe(true);

    // The same id again is the same campaign: nothing more is queued.
    const again = await pipeline.producer.createCampaign({ id: 'fifty-k', notification: NOTE, recipients: recipients() });
    expect(again).toMatchObject({ recipients: 50_000, jobs: 500, existing: true });
    expect((await pipeline.producer.listCampaigns()).map((c) => c.id)).toEqual(['fifty-k']);
  });

  it('resumes a create interrupted half-way: every recipient exactly once', async () => {
    pipeline = await startPipeline({ config: { metricsPort: 0 }, logLevel: 'warn' });
    const B = CAMPAIGN_BATCH_SIZE;
    const audience = ids(2.5 * B);
    async function* breaksAt(n: number) {
      for (const [i, id] of audience.entries()) {
        if (i === n) throw new Error('the export job died');
        yield id;
      }
    }
    await expect(pipeline.producer.createCampaign({ id: 'resume', notification: NOTE, recipients: breaksAt(1.5 * B) })).rejects.toThrow('the export job died');
    const half = await pipeline.producer.getCampaign('resume');
    // The first batch was checkpointed; the second was being read when the input broke.
    expect(half).toMatchObject({ enqueued: false, read: B, recipients: B, jobs: B / 100 });

    const resumed = await pipeline.producer.createCampaign({ id: 'resume', notification: NOTE, recipients: breaksAt(-1) });
    expect(resumed).toMatchObject({ recipients: 2.5 * B, jobs: (2.5 * B) / 100, read: 2.5 * B, existing: false });
    const status = await settledCampaign(pipeline, 'resume');
    expect(status).toMatchObject({ state: 'completed', sent: 2.5 * B, pending: 0 });
    const counts = acceptedCounts(pipeline);
    expect(counts.size).toBe(2.5 * B);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('a crash after a batch is queued but before its checkpoint: the batch is redone without doubling anyone', async () => {
    pipeline = await startPipeline({ config: { metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    const B = CAMPAIGN_BATCH_SIZE;
    const audience = ids(1.5 * B, 'x');
    const options = { id: 'redo', notification: NOTE, recipients: audience };
    // What a crashed run leaves: the id reserved, batch 0 recorded and its jobs queued (and being
    // delivered), no checkpoint, and a lease nobody renews.
    const ctx = campaignContext({ config: p.producer.config, redis: p.producer.redis, deliveries: p.producer.deliveries, leaseMs: 1_500 });
    const spec = resolveCampaignSpec(options, Date.now(), p.config.maxLatenessMs ?? 3_600_000);
    const crashed = await CampaignRun.reserve(ctx, spec);
    crashed.abandon();
    const chunks = planBatch({
      campaignId: 'redo',
      batchNo: 0,
      recipients: audience.slice(0, B).map((openId) => ({ openId })),
      timing: spec.timing,
      chunkSize: 100,
    });
    await enqueueChunks(ctx, spec, chunks, crashed.lease);
    // Until the crashed run's lease runs out, the id is busy; then the resume goes ahead.
    await expect(p.producer.createCampaign(options)).rejects.toBeInstanceOf(CampaignBusyError);
    let created: CampaignCreated | undefined;
    await waitUntil(async () => Boolean((created = await p.producer.createCampaign(options))), { message: 'the resume after the lease ran out' });
    expect(created).toMatchObject({ recipients: 1.5 * B, jobs: (1.5 * B) / 100, read: 1.5 * B });
    const status = await settledCampaign(p, 'redo');
    expect(status).toMatchObject({ state: 'completed', recipients: 1.5 * B, sent: 1.5 * B });
    const counts = acceptedCounts(p);
    expect(counts.size).toBe(1.5 * B);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('refuses a resume with other options, and a bad recipient, naming it', async () => {
    pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline.producer;
    await p.createCampaign({ id: 'fixed', notification: NOTE, recipients: ['a', 'b'], expiresIn: '2h' });
    const changed = p.createCampaign({ id: 'fixed', notification: { ...NOTE, text: 'Changed' }, recipients: ['a', 'b'], expiresIn: '2h' });
    await expect(changed).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(changed).rejects.toThrow(/campaign fixed already exists with a different notification or timing/);

    const bad = p.createCampaign({ id: 'zones', notification: NOTE, localTime: '09:00', recipients: [{ openId: 'a', timezone: 'UTC' }, 'b'] });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toThrow('recipients.1: has no timezone and no defaultTimezone is set');
    // Its batch was refused before anything was queued.
    expect(await p.deliveries.getJobCountByTypes('prioritized', 'delayed', 'waiting')).toBe(1);

    await expect(p.createCampaign({ id: 'empty', notification: NOTE, recipients: [] })).rejects.toThrow('recipients: must not be empty');
    expect(await p.getCampaign('empty')).toBeUndefined();
  });

  it('cancel part-way: nothing is sent after it returns, and the counts add up', async () => {
    pipeline = await startPipeline({
      sandbox: { latencyMs: 100 },
      config: { concurrency: 4, chunkSize: 10, metricsPort: 0 },
      logLevel: 'warn',
    });
    const p = pipeline;
    await p.producer.createCampaign({ id: 'stop-me', notification: NOTE, recipients: ids(1_000, 'c') });
    await p.sandbox.waitFor((s) => s.accepted.length >= 10, 20_000);

    const result = await p.producer.cancelCampaign('stop-me');
    const acceptedAtReturn = p.sandbox.accepted.length;
    expect(p.sandbox.stats().inFlight).toBe(0);
    expect(result.state).toBe('cancelled');
    expect(result.stopped).toBeGreaterThan(500);
    expect(result.stopped).toBe(result.cancelled);

    const status = await settledCampaign(p, 'stop-me');
    expectCountsAddUp(status);
    expect(status).toMatchObject({ state: 'cancelled', recipients: 1_000, failed: 0, pending: 0 });
    await waitUntil(async () => (await p.producer.deliveries.getJobCountByTypes('active', 'waiting', 'prioritized', 'delayed')) === 0, {
      message: 'no campaign job left in the queue',
    });
    // Nothing can be sent any more, and nothing was sent after the cancel returned.
    expect(p.sandbox.accepted.length).toBe(acceptedAtReturn);
    const sentIds = p.sandbox.accepted.flatMap((a) => a.openIds);
    expect(sentIds.length).toBe(status.sent);
    expect(new Set(sentIds).size).toBe(status.sent);

    const second = await p.producer.cancelCampaign('stop-me');
    expect(second).toMatchObject({ state: 'cancelled', stopped: 0, sent: status.sent, cancelled: status.cancelled });
    await expect(p.producer.cancelCampaign('no-such')).rejects.toThrow('no campaign with id no-such');
  });

  it('a cancel while the campaign is being created stops creation at the next batch', async () => {
    pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    const B = CAMPAIGN_BATCH_SIZE;
    let cancelled: Promise<unknown> | undefined;
    const created = await p.producer.createCampaign({
      id: 'half-made',
      notification: NOTE,
      recipients: ids(3 * B, 'h'),
      // Another process cancels once the first batch is queued.
      onProgress: (progress) => {
        if (progress.read === B) cancelled = p.producer.cancelCampaign('half-made');
      },
    });
    await cancelled;
    expect(created).toMatchObject({ cancelled: true, existing: false });
    expect(created.recipients).toBeLessThan(3 * B);
    const status = await p.producer.getCampaign('half-made');
    expect(status).toMatchObject({ state: 'cancelled', enqueued: false, sent: 0, pending: 0 });
    expect(status?.cancelled).toBe(status?.recipients);
    expect(await p.producer.deliveries.getJobCountByTypes('prioritized', 'delayed', 'waiting')).toBe(0);
    expect(await p.redis.exists(`${p.prefix}:np:campaign:half-made:seen`)).toBe(0);
    // Creating it again does not revive it.
    expect(await p.producer.createCampaign({ id: 'half-made', notification: NOTE, recipients: ids(3 * B, 'h') })).toMatchObject({
      existing: true,
      cancelled: true,
    });
  });

  it('local time: each recipient at 09:00 on their own wall clock, with the deadline after it', async () => {
    pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    const zones = ['Asia/Riyadh', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kathmandu'];
    const recipients = [...zones.map((timezone, i) => ({ openId: `z${i}`, timezone })), 'nozone'];
    const before = Date.now();
    const created = await p.producer.createCampaign({
      id: 'morning',
      notification: NOTE,
      recipients,
      localTime: '09:00',
      defaultTimezone: 'Asia/Tokyo',
      expiresIn: '30m',
    });
    const after = Date.now();
    expect(created).toMatchObject({ recipients: 6, jobs: 6 });

    const jobs = await p.producer.deliveries.getJobs(['delayed', 'prioritized', 'waiting']);
    expect(jobs).toHaveLength(6);
    const byOpenId = new Map(jobs.map((j) => [notificationOf(j.data).openIds?.[0], j]));
    for (const [openId, zone] of [...zones.map((z, i) => [`z${i}`, z]), ['nozone', 'Asia/Tokyo']] as [string, string][]) {
      const job = byOpenId.get(openId);
      const sendAt = job?.data.sendAt ?? 0;
      expect(DateTime.fromMillis(sendAt, { zone }).toFormat('HH:mm'), `${openId} in ${zone}`).toBe('09:00');
      expect([nextLocalTime('09:00', zone, before), nextLocalTime('09:00', zone, after)]).toContain(sendAt);
      expect(job?.data.deadline).toBe(sendAt + 30 * 60_000);
      expect(job?.data.campaignId).toBe('morning');
      expect(job?.opts.priority).toBe(100);
    }
    const status = await p.producer.getCampaign('morning');
    expect(status).toMatchObject({ state: 'scheduled', localTime: '09:00', defaultTimezone: 'Asia/Tokyo', pending: 6 });
    const sendTimes = jobs.map((j) => j.data.sendAt);
    expect(status?.firstSendAt).toBe(new Date(Math.min(...sendTimes)).toISOString());
    expect(status?.lastSendAt).toBe(new Date(Math.max(...sendTimes)).toISOString());
  });

  it('dead-lettered chunks count as failed, once, and a redrive that delivers moves them to sent', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 10, metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    // The first three requests are refused for good (HTTP 400: dead-lettered as rejected, no retry).
    p.sandbox.setFaults([{ httpStatus: 400, times: 3 }]);
    await p.producer.createCampaign({ id: 'partly', notification: NOTE, recipients: ids(100, 'f') });
    const status = await settledCampaign(p, 'partly');
    expect(status).toMatchObject({ state: 'completed_with_failures', recipients: 100, sent: 70, failed: 30, pending: 0 });

    const redriven = await p.producer.redriveDeadLetters('all');
    expect(redriven.redriven).toBe(3);
    await waitUntil(async () => (await p.producer.getCampaign('partly'))?.sent === 100, { message: 'redriven chunks delivered' });
    expect(await p.producer.getCampaign('partly')).toMatchObject({ state: 'completed', sent: 100, failed: 0 });
    expect(acceptedCounts(p).size).toBe(100);
  });

  it('a chunk whose job data fails the schema is dead-lettered as invalid and counted as failed', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 10, metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    // Queued for later, so one chunk's data can be broken before any worker sees it.
    await p.producer.createCampaign({ id: 'broken', notification: NOTE, recipients: ids(50, 'b'), sendAt: new Date(Date.now() + 600_000) });
    const delayed = await p.producer.deliveries.getDelayed();
    expect(delayed).toHaveLength(5);
    const broken = delayed[0];
    if (!broken) throw new Error('no delayed job');
    const data = broken.data as NotificationJobData;
    const brokenData: NotificationJobData = { ...data, notification: { ...data.notification, title: '' } };
    await (broken as Job<NotificationJobData>).updateData(brokenData);
    await Promise.all(delayed.map((job) => job.promote()));

    const status = await settledCampaign(p, 'broken');
    expect(status).toMatchObject({ state: 'completed_with_failures', recipients: 50, sent: 40, failed: 10, pending: 0 });
    expectCountsAddUp(status);
    const letters = await p.producer.listDeadLetters();
    expect(letters.map((l) => [l.id, l.reason])).toEqual([[broken.id, 'invalid']]);
    expect(p.sandbox.accepted).toHaveLength(4);
  });
});
