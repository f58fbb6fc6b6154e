import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { scanKeys } from '../helpers/key-snapshot.js';
import { IdempotencyConflictError, ValidationError } from '../../src/shared/errors.js';
import { BILINGUAL_NOTE } from '../helpers/campaign-audience.js';

const NOTE = BILINGUAL_NOTE;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/**
 * The keys before a dry run, once the producer's queues have written their own meta keys (BullMQ does that
 * in the background after opening a queue, whatever the calls that follow).
 */
async function keysBefore(p: Pipeline): Promise<string[]> {
  const queueMeta = [`${p.prefix}:dead-letters:meta`, `${p.prefix}:deliveries:meta`];
  await waitUntil(async () => (await p.redis.exists(...queueMeta)) === queueMeta.length, { message: 'the queues to write their meta keys' });
  return scanKeys(p.redis, p.prefix);
}

function audience(): { openId: string; timezone: string; language?: string }[] {
  const out: { openId: string; timezone: string; language?: string }[] = [];
  for (let i = 0; i < 250; i++) {
    out.push({ openId: `u${i}`, timezone: i % 2 === 0 ? 'Asia/Riyadh' : 'America/New_York', ...(i % 5 === 0 && { language: 'ar_SA' }) });
  }
  out.push({ openId: 'u3', timezone: 'Asia/Riyadh' });
  return out;
}

describe('campaign dry runs', () => {
  it('returns the plan a real create then follows, and writes no key', async () => {
    pipeline = await startPipeline({ worker: false, config: { chunkSize: 40 }, logLevel: 'warn' });
    const options = { id: 'dry', notification: NOTE, localTime: '09:00', recipients: audience() };
    const before = await keysBefore(pipeline);
    const plan = await pipeline.producer.createCampaign({ ...options, dryRun: true });
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);

    // 250 distinct: 125 per zone; ar_SA is every fifth openId (50), split evenly over the zones.
    expect(plan).toMatchObject({ dryRun: true, id: 'dry', read: 251, recipients: 250 });
    expect(plan.byLanguage).toEqual({ en_US: { recipients: 200, requests: 6 }, ar_SA: { recipients: 50, requests: 2 } });
    expect(plan.requests).toBe(8);
    expect(plan.sendTimes.distinct).toBe(2);
    expect(Date.parse(plan.sendTimes.first)).toBeLessThan(Date.parse(plan.sendTimes.last));

    const created = await pipeline.producer.createCampaign(options);
    expect(created).toMatchObject({ recipients: plan.recipients, jobs: plan.requests, read: plan.read });
    const status = await pipeline.producer.getCampaign('dry');
    expect(status?.firstSendAt).toBe(plan.sendTimes.first);
    expect(status?.lastSendAt).toBe(plan.sendTimes.last);
    expect(Object.fromEntries(Object.entries(status?.byLanguage ?? {}).map(([l, c]) => [l, c.recipients]))).toEqual({ en_US: 200, ar_SA: 50 });
  });

  it('refuses the first bad record as a create would, and still writes nothing', async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    const before = await keysBefore(pipeline);
    const recipients = ['a', 'b', { openId: 'c', language: 'fr_FR' }, { openId: 'd,e' }];
    const error = await pipeline.producer.createCampaign({ notification: NOTE, recipients, dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ field: 'recipients.2', rule: 'language must be one of en_US, ar_SA, zh_CN' }]);
    const empty = await pipeline.producer.createCampaign({ notification: NOTE, recipients: [], dryRun: true }).catch((e: unknown) => e);
    expect((empty as ValidationError).issues).toEqual([{ field: 'recipients', rule: 'must not be empty' }]);
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);
  });

  it('refuses an id taken by a different campaign, as a create would', async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    await pipeline.producer.createCampaign({ id: 'taken', notification: NOTE, recipients: ['a'] });
    const before = await keysBefore(pipeline);
    const other = { ...NOTE, title: 'Another sale' };
    const error = await pipeline.producer.createCampaign({ id: 'taken', notification: other, recipients: ['a'], dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(await pipeline.producer.createCampaign({ id: 'taken', notification: NOTE, recipients: ['a'], dryRun: true })).toMatchObject({ recipients: 1 });
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);
  });
});
