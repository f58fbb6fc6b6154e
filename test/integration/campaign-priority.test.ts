import { afterEach, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';

const NOTE = { title: 'Weekly digest', text: 'What happened this week', navigateType: '1', language: 'en_US' } as const;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

it('a one-off send does not wait behind a campaign draining at the rate limit', async () => {
  // 200 chunks at 25 requests/s take 8 s to drain; a one-off send queued a few seconds in goes ahead of
  // every chunk still waiting, long before the campaign ends. How soon is a figure for `npm run bench`.
  pipeline = await startPipeline({ config: { rateLimit: 25, concurrency: 10, chunkSize: 50, metricsPort: 0 }, logLevel: 'warn' });
  const p = pipeline;
  const recipients = Array.from({ length: 10_000 }, (_, i) => `bulk${i}`);
  await p.producer.createCampaign({ id: 'digest', notification: NOTE, recipients });
  // Past the first windows, so the limiter is what the one-off has to get through.
  await p.sandbox.waitFor((s) => s.accepted.length >= 60, 20_000);

  const campaignRequestsQueuedBefore = p.sandbox.accepted.length;
  await p.producer.send({ ...NOTE, title: 'Your login code', text: '493817', openIds: ['vip'] });
  await p.sandbox.waitFor((s) => s.accepted.some((a) => a.openIds.includes('vip')), 30_000);
  const campaignRequestsBefore = p.sandbox.accepted.findIndex((a) => a.openIds.includes('vip'));

  // The point: it overtook every campaign chunk still waiting. Only chunks already taken when it was queued
  // (at most one per worker slot, and one more batch racing the fetch) may go first.
  expect(campaignRequestsBefore - campaignRequestsQueuedBefore).toBeLessThanOrEqual(2 * 10);
  const status = await p.producer.getCampaign('digest');
  expect(status?.state).toBe('sending');
  expect(status?.pending).toBeGreaterThan(0);
  await p.producer.cancelCampaign('digest');
});
