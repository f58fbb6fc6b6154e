import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { scanKeys } from '../helpers/key-snapshot.js';
import { CAMPAIGN_BATCH_SIZE, CampaignBusyError, createCampaign, enqueueChunks, type CampaignCreated } from '../../src/producer/campaign-create.js';
import { campaignContext, type CampaignContext } from '../../src/producer/campaign-context.js';
import { planCampaign } from '../../src/producer/campaign-dry-run.js';
import { resolveCampaignSpec, type CreateCampaignOptions } from '../../src/producer/campaign-options.js';
import { planBatch } from '../../src/producer/campaign-plan.js';
import { CampaignRun } from '../../src/producer/campaign-run.js';
import { getCampaign } from '../../src/shared/campaign-status.js';
import { notificationOf, type DeliveryJobData } from '../../src/shared/job-data.js';
import { ValidationError } from '../../src/shared/errors.js';

const NOTE = { title: 'Spring sale', text: 'Everything half price today', navigateType: '1', language: 'en_US' } as const;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// A winter evening, well ahead of the machine's clock so that every job stays delayed: 22:30 in Berlin
// (CET, inside 22:00-08:00), 16:30 in New York (EST, outside).
const NOW = Date.parse('2031-01-15T21:30:00Z');
const NIGHT = { from: '22:00', to: '08:00' };

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** A campaign context on the pipeline's producer connections, with a fixed "now". */
function contextAt(p: Pipeline, now: number, extra: Partial<CampaignContext> = {}): CampaignContext {
  return campaignContext({ config: p.producer.config, redis: p.producer.redis, deliveries: p.producer.deliveries, clock: { now: () => now }, ...extra });
}

/** Every delivery job of a campaign, by id: its due time and deadline as stored, and its BullMQ delay. */
async function jobTimes(p: Pipeline, campaignId: string): Promise<Map<string, { sendAt: number; deadline: number; due: number; n: number }>> {
  const jobs = (await p.producer.deliveries.getJobs(['delayed', 'waiting', 'prioritized'])) as Job<DeliveryJobData>[];
  const out = new Map<string, { sendAt: number; deadline: number; due: number; n: number }>();
  for (const j of jobs) {
    if (j.data.campaignId !== campaignId) continue;
    out.set(j.id as string, { sendAt: j.data.sendAt, deadline: j.data.deadline, due: j.timestamp + (j.delay ?? 0), n: notificationOf(j.data).openIds?.length ?? 0 });
  }
  return out;
}

/** The keys before a dry run, once the queues have written their own meta keys (BullMQ does that in the background). */
async function keysBefore(p: Pipeline): Promise<string[]> {
  const queueMeta = [`${p.prefix}:dead-letters:meta`, `${p.prefix}:deliveries:meta`];
  await waitUntil(async () => (await p.redis.exists(...queueMeta)) === queueMeta.length, { message: 'the queues to write their meta keys' });
  return scanKeys(p.redis, p.prefix);
}

const zoned = (n: number, zone: string, tag: string) => Array.from({ length: n }, (_, i) => ({ openId: `${tag}${i}`, timezone: zone }));

describe('campaign quiet hours', () => {
  it("moves the zone inside the window to its end on that zone's clock, with its deadline; the other zone goes now", async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    const p = pipeline;
    const recipients = [...zoned(3, 'Europe/Berlin', 'b'), ...zoned(2, 'America/New_York', 'n'), { openId: 'd0' }];
    const options: CreateCampaignOptions = { id: 'night', notification: NOTE, recipients, quietHours: NIGHT, defaultTimezone: 'Europe/Berlin', expiresIn: '2h' };
    const plan = await planCampaign(contextAt(p, NOW), { ...options, dryRun: true });
    const created = await createCampaign(contextAt(p, NOW), options);
    expect(created).toMatchObject({ recipients: 6, jobs: 2 });

    const times = await jobTimes(p, 'night');
    const morning = Date.parse('2031-01-16T07:00:00Z'); // 08:00 CET
    expect(times.get('c-night.0.0')).toEqual({ sendAt: morning, deadline: morning + 2 * HOUR, due: morning, n: 4 });
    expect(times.get('c-night.0.1')).toEqual({ sendAt: NOW, deadline: NOW + 2 * HOUR, due: NOW, n: 2 });
    expect(await p.producer.deliveries.getJobState('c-night.0.0')).toBe('delayed');

    const status = await p.producer.getCampaign('night');
    expect(status).toMatchObject({ heldByQuietHours: 4, quietHours: '22:00-08:00', firstSendAt: new Date(NOW).toISOString(), lastSendAt: new Date(morning).toISOString() });
    expect(status).not.toHaveProperty('expectedFinishAt');
    expect(plan).toMatchObject({ recipients: 6, requests: 2, heldByQuietHours: 4, sendTimes: { first: status?.firstSendAt, last: status?.lastSendAt, distinct: 2 } });

    // Held chunks are delayed jobs like any other: a cancel removes them and counts their recipients.
    const cancelled = await p.producer.cancelCampaign('night');
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelled: 6, pending: 0 });
    expect(await p.producer.deliveries.getJob('c-night.0.0')).toBeUndefined();
  });

  it('refuses a recipient without a zone when there is no defaultTimezone, before anything is queued', async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    const p = pipeline;
    const bad = createCampaign(contextAt(p, NOW), { id: 'nozone', notification: NOTE, quietHours: NIGHT, recipients: [{ openId: 'a', timezone: 'UTC' }, 'b'] });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toThrow('recipients.1: has no timezone and no defaultTimezone is set');
    expect(await getCampaign(p.redis, p.prefix, 'nozone')).toBeUndefined();
    expect(await p.producer.deliveries.getJobCountByTypes('delayed', 'waiting', 'prioritized')).toBe(0);
  });
});

describe('campaign pacing', () => {
  it('spreads due times evenly in chunks of at most perMinute; the dry run plans the same finish and writes nothing', async () => {
    pipeline = await startPipeline({ worker: false, config: { chunkSize: 100 }, logLevel: 'warn' });
    const p = pipeline;
    const options: CreateCampaignOptions = { id: 'paced', notification: NOTE, recipients: Array.from({ length: 1_000 }, (_, i) => `u${i}`), throttle: { perMinute: 80 }, expiresIn: '30m' };
    const before = await keysBefore(p);
    const plan = await planCampaign({ ...contextAt(p, NOW) }, { ...options, dryRun: true });
    expect(await scanKeys(p.redis, p.prefix)).toEqual(before);
    await createCampaign(contextAt(p, NOW), options);

    const times = await jobTimes(p, 'paced');
    // 80 a minute: 13 chunks of at most 80 (not the configured 100), each 60 s after the one before.
    expect(times.size).toBe(13);
    for (let k = 0; k < 13; k++) {
      const t = times.get(`c-paced.0.${k}`);
      expect(t).toEqual({ sendAt: NOW + k * MINUTE, deadline: NOW + k * MINUTE + 30 * MINUTE, due: NOW + k * MINUTE, n: k < 12 ? 80 : 40 });
    }
    const status = await p.producer.getCampaign('paced');
    const finish = new Date(NOW + 12 * MINUTE).toISOString();
    expect(status).toMatchObject({ throttle: 80, expectedFinishAt: finish, recipients: 1_000, jobs: 13 });
    expect(plan).toMatchObject({ requests: 13, expectedFinishAt: finish, sendTimes: { first: new Date(NOW).toISOString(), last: finish, distinct: 13 } });
    expect(plan).not.toHaveProperty('heldByQuietHours');
  });

  it('with quiet hours, each send time is paced from its own start; a crash before a checkpoint and a later resume give the same due times, held counted once', async () => {
    pipeline = await startPipeline({ worker: false, config: { chunkSize: 100 }, logLevel: 'warn' });
    const p = pipeline;
    const B = CAMPAIGN_BATCH_SIZE;
    // 1.5 batches, Berlin (held to 08:00) and New York (now) interleaved.
    const recipients = Array.from({ length: 1.5 * B }, (_, i) => ({ openId: `r${i}`, timezone: i % 3 === 0 ? 'America/New_York' : 'Europe/Berlin' }));
    const base = { notification: NOTE, recipients, quietHours: NIGHT, throttle: { perMinute: 1_000 } };

    // The reference: one uninterrupted create.
    await createCampaign(contextAt(p, NOW), { ...base, id: 'ref' });
    const reference = await jobTimes(p, 'ref');

    // A run that crashed after recording batch 0 and adding its jobs, before its checkpoint.
    const options: CreateCampaignOptions = { ...base, id: 'crash' };
    // A lease long enough to still hold at the busy check below on a loaded machine, short enough to wait out.
    const ctx = contextAt(p, NOW, { leaseMs: 1_500 });
    const spec = resolveCampaignSpec(options, NOW, p.producer.config.maxLatenessMs);
    const crashed = await CampaignRun.reserve(ctx, spec);
    crashed.abandon();
    const chunks = planBatch({ campaignId: 'crash', batchNo: 0, recipients: recipients.slice(0, B), timing: spec.timing, chunkSize: 100, positions: new Map() });
    await enqueueChunks(ctx, spec, chunks, crashed.lease);
    const heldInBatch0 = recipients.slice(0, B).filter((r) => r.timezone === 'Europe/Berlin').length;
    expect((await getCampaign(p.redis, p.prefix, 'crash'))?.heldByQuietHours).toBe(heldInBatch0);

    // The resume runs 20 minutes later by its clock: a paced campaign still plans from the first run's now.
    const later = contextAt(p, NOW + 20 * MINUTE);
    let created: CampaignCreated | undefined;
    await expect(createCampaign(later, options)).rejects.toBeInstanceOf(CampaignBusyError);
    await waitUntil(async () => Boolean((created = await createCampaign(later, options).catch((e: unknown) => {
      if (e instanceof CampaignBusyError) return undefined;
      throw e;
    }))), { message: "the resume, once the crashed run's lease ran out" });
    expect(created).toMatchObject({ recipients: 1.5 * B, read: 1.5 * B });

    const resumed = await jobTimes(p, 'crash');
    expect(resumed.size).toBe(reference.size);
    // The same due time and deadline for every chunk; BullMQ makes a due time that had passed when the
    // resume added its job (a New York chunk of batch 1) due at once.
    for (const [id, t] of reference) {
      const due = id.startsWith('c-ref.0.') ? t.sendAt : Math.max(t.sendAt, NOW + 20 * MINUTE);
      expect(resumed.get(id.replace('c-ref.', 'c-crash.'))).toEqual({ ...t, due });
    }

    // Each send time is its own pace: New York from now, Berlin from 08:00 CET, 1,000 a minute each.
    const ny = 0.5 * B;
    const berlin = B;
    const morning = Date.parse('2031-01-16T07:00:00Z');
    const chunksOf = (held: boolean) => [...reference.values()].filter((t) => t.sendAt >= morning === held).sort((a, b) => a.sendAt - b.sendAt);
    for (const [held, start, total] of [[false, NOW, ny], [true, morning, berlin]] as const) {
      const group = chunksOf(held);
      const last = group.at(-1) as { sendAt: number; n: number };
      expect(group.reduce((sum, t) => sum + t.n, 0)).toBe(total);
      // The last chunk is due when the recipients before it in its group have had their minutes.
      expect(last.sendAt).toBe(start + Math.floor(((total - last.n) * MINUTE) / 1_000));
      expect(group[0]?.sendAt).toBe(start);
    }
    const sendAts = [...reference.values()].map((t) => t.sendAt);
    const status = await getCampaign(p.redis, p.prefix, 'crash');
    expect(status).toMatchObject({ recipients: 1.5 * B, heldByQuietHours: berlin, expectedFinishAt: new Date(Math.max(...sendAts)).toISOString() });
    expect((await getCampaign(p.redis, p.prefix, 'ref'))?.heldByQuietHours).toBe(berlin);
    // The dry run of the same request plans the same finish.
    const plan = await planCampaign(contextAt(p, NOW), { ...base, dryRun: true });
    expect(plan).toMatchObject({ heldByQuietHours: berlin, expectedFinishAt: status?.expectedFinishAt, requests: reference.size });
    // And a dry run of the existing id, at a later clock, plans from its first run's now, as its resume did.
    const again = await planCampaign(later, { ...options, dryRun: true });
    expect(again).toMatchObject({ expectedFinishAt: status?.expectedFinishAt, sendTimes: plan.sendTimes });
  });
});

describe('a paced campaign with quiet hours through the worker and the sandbox', () => {
  it('delivers everyone once; its dead letters redrive like any; the counts and expected finish add up', async () => {
    pipeline = await startPipeline({ config: { chunkSize: 10, metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    // The first three requests are refused for good (dead-lettered as rejected).
    p.sandbox.setFaults([{ httpStatus: 400, times: 3 }]);
    // A window that does not hold anyone now (it starts three hours from now on the UTC clock).
    const hhmm = (minutes: number) => new Date(Date.now() + minutes * MINUTE).toISOString().slice(11, 16);
    const quietHours = { from: hhmm(180), to: hhmm(240) };
    const recipients = Array.from({ length: 100 }, (_, i) => ({ openId: `w${i}`, timezone: 'UTC' }));
    // 6,000 a minute: chunks of 10 (the configured size), 100 ms apart.
    await p.producer.createCampaign({ id: 'paced-live', notification: NOTE, recipients, quietHours, throttle: { perMinute: 6_000 } });
    const queued = await p.producer.getCampaign('paced-live');
    expect(queued).toMatchObject({ heldByQuietHours: 0, jobs: 10 });
    expect(Date.parse(queued?.expectedFinishAt ?? '') - Date.parse(queued?.firstSendAt ?? '')).toBe(900);

    await waitUntil(async () => (await p.producer.getCampaign('paced-live'))?.pending === 0, { message: 'every chunk sent or dead-lettered' });
    expect(await p.producer.getCampaign('paced-live')).toMatchObject({ sent: 70, failed: 30 });
    expect((await p.producer.redriveDeadLetters('all')).redriven).toBe(3);
    await waitUntil(async () => (await p.producer.getCampaign('paced-live'))?.sent === 100, { message: 'the redriven chunks delivered' });
    expect(await p.producer.getCampaign('paced-live')).toMatchObject({ state: 'completed', sent: 100, failed: 0, heldByQuietHours: 0 });
    const counts = new Map<string, number>();
    for (const a of p.sandbox.accepted) for (const id of a.openIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(100);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
