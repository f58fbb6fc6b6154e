import { afterEach, describe, expect, it } from 'vitest';
import { createCampaign } from '../../src/producer/campaign-create.js';
import { campaignContext } from '../../src/producer/campaign-context.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { BILINGUAL_NOTE } from '../helpers/campaign-audience.js';

// Languages, quiet hours, pacing and a frequency cap in one campaign, delivered by two workers through the
// sandbox, with refused requests dead-lettered and redriven: every count adds up and nobody gets a thing twice.

const NOTE = BILINGUAL_NOTE;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('a campaign with every audience option at once', () => {
  it('bilingual, quiet hours, paced and capped: each recipient gets their language once, or is capped; held, capped and redriven all count', async () => {
    // Producer and workers run 58 s into a minute on a clock up to a minute behind the real one, so a
    // quiet window that ends at the next minute (UTC wall clock) holds the UTC recipients for 2 s only.
    const offset = (((Date.now() % 60_000) - 58_000) % 60_000 + 60_000) % 60_000;
    const clock = { now: () => Date.now() - offset };
    const fakeNow = clock.now();
    const quietHours = { from: hhmm(fakeNow - 2 * 3_600_000), to: hhmm(fakeNow + 60_000) };

    pipeline = await startPipeline({ config: { chunkSize: 10, metricsPort: 0 }, worker: false, logLevel: 'warn' });
    const p = pipeline;
    await p.startWorker({ localClock: clock });
    await p.startWorker({ localClock: clock });

    // 100 recipients: even ones in Arabic, odd ones in English; the first 50 on UTC (inside the window), the
    // rest in Tokyo (nine hours later on the wall clock: outside it).
    const recipients = Array.from({ length: 100 }, (_, i) => ({
      openId: `r${i}`,
      timezone: i < 50 ? 'UTC' : 'Asia/Tokyo',
      language: i % 2 === 0 ? ('ar_SA' as const) : ('en_US' as const),
    }));
    // Twenty of them already had a capped notification today: at 1/24h the campaign leaves them out.
    const earlier = recipients.filter((_, i) => i % 5 === 0).map((r) => r.openId);
    const pre = await p.producer.send({ title: 'Earlier', text: 'One today', navigateType: 1, language: 'en_US', openIds: earlier }, { frequencyCap: { max: 1, per: '24h' } });
    await p.waitForJobs(jobIdsOf(pre));
    const preAccepted = p.sandbox.accepted.length;

    // The first two campaign requests are refused for good and dead-lettered; a redrive sends them.
    p.sandbox.setFaults([{ match: { title: NOTE.title }, httpStatus: 400, times: 1 }, { match: { title: NOTE.translations.ar_SA.title }, httpStatus: 400, times: 1 }]);
    const ctx = campaignContext({ config: p.producer.config, redis: p.producer.redis, deliveries: p.producer.deliveries, clock });
    const created = await createCampaign(ctx, {
      id: 'all-together',
      notification: NOTE,
      recipients,
      quietHours,
      throttle: { perMinute: 6_000 },
      frequencyCap: { max: 1, per: '24h' },
    });
    expect(created).toMatchObject({ recipients: 100, existing: false });
    const queued = await p.producer.getCampaign('all-together');
    expect(queued).toMatchObject({ heldByQuietHours: 50, frequencyCap: '1/24h', throttle: 6_000 });

    await waitUntil(async () => (await p.producer.getCampaign('all-together'))?.pending === 0, { timeoutMs: 30_000, message: 'every chunk settled' });
    const beforeRedrive = await p.producer.getCampaign('all-together');
    expect(beforeRedrive?.capped).toBe(20);
    expect(beforeRedrive?.failed).toBeGreaterThan(0);
    expect((await p.producer.redriveDeadLetters('all')).redriven).toBe(2);
    await waitUntil(async () => (await p.producer.getCampaign('all-together'))?.state === 'completed', { timeoutMs: 30_000, message: 'redriven chunks delivered' });

    const done = await p.producer.getCampaign('all-together');
    expect(done).toMatchObject({ recipients: 100, sent: 80, capped: 20, failed: 0, cancelled: 0, pending: 0, heldByQuietHours: 50 });
    expect(done?.byLanguage?.ar_SA).toMatchObject({ recipients: 50, sent: 40, capped: 10 });
    expect(done?.byLanguage?.en_US).toMatchObject({ recipients: 50, sent: 40, capped: 10 });

    // Each recipient who was not capped got exactly one request, in their language; the capped got none.
    const got = new Map<string, string[]>();
    for (const a of p.sandbox.accepted.slice(preAccepted)) {
      expect(a.openIds.length).toBeLessThanOrEqual(10);
      for (const id of a.openIds) got.set(id, [...(got.get(id) ?? []), `${a.params.language}|${a.params.title}`]);
    }
    for (const [i, r] of recipients.entries()) {
      const expected = r.language === 'ar_SA' ? `ar_SA|${NOTE.translations.ar_SA.title}` : `en_US|${NOTE.title}`;
      expect(got.get(r.openId), r.openId).toEqual(earlier.includes(r.openId) ? undefined : [expected]);
      // The held ones went at the window's end, not before (on the clock the campaign ran on).
      if (i < 50 && !earlier.includes(r.openId)) {
        const job = (await p.producer.deliveries.getJobs(['completed'])).find((j) => j.data.campaignId === 'all-together' && (j.data as { notification?: { openIds?: string[] } }).notification?.openIds?.includes(r.openId));
        expect(job?.data.sendAt).toBeGreaterThanOrEqual(Math.ceil(fakeNow / 60_000) * 60_000);
      }
    }
  });
});
