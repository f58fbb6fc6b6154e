import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { redisUrl, waitUntil } from '../helpers/isolation.js';
import { campaignAudience, CAMPAIGN_NOTE as NOTE } from '../helpers/campaign-audience.js';
import { CAMPAIGN_BATCH_SIZE, CampaignBusyError, createCampaign, type CampaignCreated } from '../../src/producer/campaign-create.js';
import type { CreateCampaignOptions } from '../../src/producer/campaign-options.js';
import type { Clock } from '../../src/neuxnet/clock.js';
import { IdempotencyConflictError, ValidationError } from '../../src/shared/errors.js';
import { notificationOf } from '../../src/shared/job-data.js';
import type { RecipientInput } from '../../src/shared/recipient.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const B = CAMPAIGN_BATCH_SIZE;
const ids = (n: number, tag = 'u') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

async function producerOnly(): Promise<Pipeline> {
  pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 }, logLevel: 'warn' });
  return pipeline;
}

/** Every key of the campaign, and whether the index lists it. */
async function leftOf(p: Pipeline, id: string): Promise<{ keys: string[]; indexed: boolean }> {
  const keys = await p.redis.keys(`${p.prefix}:np:campaign:${id}*`);
  return { keys, indexed: (await p.redis.zscore(`${p.prefix}:np:campaigns`, id)) !== null };
}

/** openId -> how many queued jobs carry it. */
async function queuedCounts(p: Pipeline): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const job of await p.producer.deliveries.getJobs(['delayed', 'prioritized', 'waiting'])) {
    for (const id of notificationOf(job.data).openIds ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('createCampaign: a refused creation leaves nothing', () => {
  it('a bad recipient, a dropped source, or an empty one before any checkpoint: no record, no index entry, the id is free', async () => {
    const p = (await producerOnly()).producer;
    const bad = p.createCampaign({ id: 'refused', notification: NOTE, recipients: ['a', 'b', { openId: 'c', timezone: 'Mars/Base' }] });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toThrow('recipients.2: unknown time zone "Mars/Base"');
    expect(await leftOf(pipeline as Pipeline, 'refused')).toEqual({ keys: [], indexed: false });
    expect(await p.getCampaign('refused')).toBeUndefined();

    async function* drops() {
      yield* ids(B - 1);
      throw new Error('connection reset');
    }
    await expect(p.createCampaign({ id: 'refused', notification: { ...NOTE, text: 'Other' }, recipients: drops() })).rejects.toThrow('connection reset');
    expect(await leftOf(pipeline as Pipeline, 'refused')).toEqual({ keys: [], indexed: false });

    // A corrected retry with the same id, even another notification, is a new campaign, not a conflict.
    const fixed = await p.createCampaign({ id: 'refused', notification: { ...NOTE, text: 'Fixed' }, recipients: ['a', 'b', 'c'] });
    expect(fixed).toMatchObject({ recipients: 3, existing: false });
    expect(await p.getCampaign('refused')).toMatchObject({ state: 'scheduled', recipients: 3, enqueued: true });
  });

  it('a bad recipient after a checkpoint keeps the queued batches, resumable', async () => {
    const p = (await producerOnly()).producer;
    const input = [...ids(B + 5), 42 as unknown as string];
    const error = await p.createCampaign({ id: 'half', notification: NOTE, recipients: input }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ field: `recipients.${B + 5}` });
    expect((error as Error).message).toContain(`the ${B} records before its batch are queued as campaign half`);
    expect(await p.getCampaign('half')).toMatchObject({ enqueued: false, read: B, recipients: B });
    const resumed = await p.createCampaign({ id: 'half', notification: NOTE, recipients: ids(B + 5) });
    expect(resumed).toMatchObject({ recipients: B + 5, read: B + 5, existing: false });
  });
});

describe('createCampaign: the same id is the same request', () => {
  it('the same request again is answered with the campaign; another notification, timing or audience is IdempotencyConflictError', async () => {
    const p = (await producerOnly()).producer;
    const options: CreateCampaignOptions = { id: 'same', notification: NOTE, recipients: ids(25), expiresIn: '2h' };
    await p.createCampaign(options);
    expect(await p.createCampaign({ ...options, recipients: ids(25), expiresIn: 7_200_000 })).toMatchObject({ recipients: 25, existing: true });
    for (const other of [
      { ...options, notification: { ...NOTE, text: 'Changed' } },
      { ...options, expiresIn: '3h' },
      { ...options, recipients: [...ids(24), 'someone-else'] },
      { ...options, recipients: ids(26) },
      { ...options, recipients: ids(24) },
    ]) {
      await expect(p.createCampaign(other)).rejects.toBeInstanceOf(IdempotencyConflictError);
    }
    expect(await queuedCounts(pipeline as Pipeline)).toHaveProperty('size', 25);
  });

  it('a resume with other recipients before the checkpoint is refused, queuing nothing', async () => {
    const p = (await producerOnly()).producer;
    async function* breaksAt(input: readonly RecipientInput[], n: number) {
      for (const [i, record] of input.entries()) {
        if (i === n) throw new Error('the export job died');
        yield record;
      }
    }
    // A repeat among the records consumed: the digest has to tell which earlier record it repeats.
    const audience: RecipientInput[] = ids(2 * B);
    audience[40] = audience[3] as string;
    await expect(p.createCampaign({ id: 'prefix', notification: NOTE, recipients: breaksAt(audience, B + 10) })).rejects.toThrow('the export job died');
    const variant = (change: (records: RecipientInput[]) => void) => {
      const records = [...audience];
      change(records);
      return records;
    };
    for (const [what, other] of [
      ['one record swapped for another', variant((r) => (r[17] = 'swapped-in'))],
      ['two records in the other order', variant((r) => ([r[17], r[18]] = [r[18] as string, r[17] as string]))],
      ['the repeat of another record', variant((r) => (r[40] = r[4] as string))],
      ['a record that now names a language', variant((r) => (r[17] = { openId: r[17] as string, language: 'ar_SA' }))],
      ['a record that now names a zone', variant((r) => (r[17] = { openId: r[17] as string, timezone: 'Asia/Riyadh' }))],
    ] as const) {
      const refused = p.createCampaign({ id: 'prefix', notification: NOTE, recipients: other });
      await expect(refused, what).rejects.toBeInstanceOf(IdempotencyConflictError);
      await expect(refused, what).rejects.toThrow(`campaign prefix already exists with other recipients among the first ${B} already consumed`);
    }
    expect(await p.getCampaign('prefix')).toMatchObject({ read: B, recipients: B - 1, enqueued: false });
    // The right input still resumes (an openId-only object is the same record as its string): the refused
    // attempts gave the lease back.
    const same = variant((r) => (r[17] = { openId: r[17] as string }));
    expect(await p.createCampaign({ id: 'prefix', notification: NOTE, recipients: same })).toMatchObject({ recipients: 2 * B - 1, existing: false });
  });

  it('two creates of one id at once with different requests do not mix: one wins, the other is refused', async () => {
    const pl = await producerOnly();
    const p = pl.producer;
    for (const [id, other] of [
      ['race-notification', { notification: { ...NOTE, text: 'Other text' }, tag: 'z' }],
      ['race-audience', { notification: NOTE, tag: 'y' }],
    ] as const) {
      const results = await Promise.allSettled([
        p.createCampaign({ id, notification: NOTE, recipients: ids(3 * B, 'x') }),
        p.createCampaign({ id, notification: other.notification, recipients: ids(3 * B, other.tag) }),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<CampaignCreated> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason instanceof IdempotencyConflictError || lost[0]?.reason instanceof CampaignBusyError).toBe(true);
      const winner = results[0]?.status === 'fulfilled' ? 'x' : other.tag;
      const jobs = await p.deliveries.getJobs(['delayed', 'prioritized', 'waiting']);
      const openIds = jobs.filter((j) => j.data.campaignId === id).flatMap((j) => notificationOf(j.data).openIds ?? []);
      expect(openIds).toHaveLength(3 * B);
      expect(openIds.every((o) => o.startsWith(winner))).toBe(true);
      await p.cancelCampaign(id);
    }
  });
});

describe('createCampaign: resume after a crash', () => {
  it('a producer killed mid-way: the resume with the same input queues every openId exactly once', async () => {
    const pl = await producerOnly();
    const size = 3 * B + 4_321;
    // The same request in both processes: a send time of its own would make it another campaign.
    const sendAt = new Date(Date.now() + 3_600_000);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/campaign-process.ts', import.meta.url))], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        REDIS_URL: redisUrl(),
        NEUPUSH_PREFIX: pl.prefix,
        CAMPAIGN_ID: 'killed',
        CAMPAIGN_SIZE: String(size),
        CAMPAIGN_STALL_AT: String(2 * B + 777),
        CAMPAIGN_LEASE_MS: '500',
        CAMPAIGN_SEND_AT: sendAt.toISOString(),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await waitUntil(() => out.includes(`"read":${2 * B},`), { timeoutMs: 30_000, message: 'two batches checkpointed by the child' });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(await pl.producer.getCampaign('killed')).toMatchObject({ enqueued: false, read: 2 * B });

    let created: CampaignCreated | undefined;
    await waitUntil(async () => Boolean((created = await pl.producer.createCampaign({ id: 'killed', notification: NOTE, recipients: campaignAudience(size), sendAt }))), {
      message: "the resume, once the killed producer's lease ran out",
    });
    const distinct = new Set([...campaignAudience(size)].map((r) => (typeof r === 'string' ? r : r.openId)));
    expect(created).toMatchObject({ read: size, recipients: distinct.size, existing: false });
    const counts = await queuedCounts(pl);
    expect(counts.size).toBe(distinct.size);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('createCampaign: timing from the clock it is given', () => {
  it('local time on the Saturday before the US springs forward: 09:00 EDT in New York is 22 hours away; deadlines follow', async () => {
    const pl = await producerOnly();
    // 10:00 in New York (EST), Saturday 2026-03-07.
    const now = DateTime.fromISO('2026-03-07T10:00', { zone: 'America/New_York' }).toMillis();
    const clock: Clock = { now: () => now };
    const ctx = { config: pl.producer.config, redis: pl.producer.redis, deliveries: pl.producer.deliveries, clock };
    await createCampaign(ctx, {
      id: 'dst',
      notification: NOTE,
      localTime: '09:00',
      expiresIn: '30m',
      recipients: [
        { openId: 'ny', timezone: 'America/New_York' },
        { openId: 'ry', timezone: 'Asia/Riyadh' },
      ],
    });
    const jobs = await pl.producer.deliveries.getJobs(['delayed', 'prioritized', 'waiting']);
    const sendAt = new Map(jobs.map((j) => [notificationOf(j.data).openIds?.[0], [j.data.sendAt, j.data.deadline]]));
    const ny = DateTime.fromISO('2026-03-08T09:00', { zone: 'America/New_York' }).toMillis();
    expect(ny - now).toBe(22 * 3_600_000);
    expect(sendAt.get('ny')).toEqual([ny, ny + 30 * 60_000]);
    // 18:00 in Riyadh when the clock reads: 09:00 is tomorrow there too.
    const ry = DateTime.fromISO('2026-03-08T09:00', { zone: 'Asia/Riyadh' }).toMillis();
    expect(sendAt.get('ry')).toEqual([ry, ry + 30 * 60_000]);
    expect(await pl.producer.getCampaign('dst')).toMatchObject({ firstSendAt: new Date(ry).toISOString(), lastSendAt: new Date(ny).toISOString() });
  });
});
