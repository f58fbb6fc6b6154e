import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { campaignKeys } from '../../src/shared/campaign-keys.js';
import { getCampaignSeries } from '../../src/shared/campaign-series.js';

const NOTE = { title: 'Spring sale', text: 'Everything half price today', navigateType: '1', language: 'en_US' } as const;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

describe('per-minute campaign series', () => {
  it('counts delivered and dead-lettered requests and recipients as the counters do, and expires with the record', async () => {
    // Requests holding u7 are refused: one chunk of 100 recipients dead-letters, the other 2 deliver.
    pipeline = await startPipeline({ sandbox: { faults: [{ match: { openId: 'u7' }, headerStatus: 400, msg: 'bad parameters' }] } });
    const p = pipeline;
    await p.producer.createCampaign({ id: 'series', notification: NOTE, recipients: Array.from({ length: 300 }, (_, i) => `u${i}`) });
    await waitUntil(async () => (await p.producer.getCampaign('series'))?.state === 'completed_with_failures', {
      timeoutMs: 20_000,
      message: 'campaign series to finish',
    });
    const status = await p.producer.getCampaign('series');
    const series = await getCampaignSeries(p.redis, p.prefix, 'series');
    const sum = (key: 'sentRequests' | 'sentRecipients' | 'failedRequests' | 'failedRecipients') =>
      series.points.reduce((a, point) => a + point[key], 0);
    expect(series.points.length).toBeGreaterThan(0);
    expect(series.points.every((point) => point.minute % 60_000 === 0)).toBe(true);
    expect({ sr: sum('sentRequests'), sn: sum('sentRecipients'), fr: sum('failedRequests'), fn: sum('failedRecipients') }).toEqual({
      sr: 2,
      sn: status?.sent,
      fr: 1,
      fn: status?.failed,
    });
    expect(series.lateness.reduce((a, b) => a + b, 0)).toBe(2);
    expect(series.latenessPercentiles?.p99).toBeDefined();

    const keys = campaignKeys(p.prefix, 'series');
    const [metaTtl, seriesTtl] = await Promise.all([p.redis.pttl(keys.meta), p.redis.pttl(keys.series)]);
    expect(metaTtl).toBeGreaterThan(0);
    expect(seriesTtl).toBeGreaterThan(0);
    expect(seriesTtl).toBeLessThanOrEqual(metaTtl);
  });
});
