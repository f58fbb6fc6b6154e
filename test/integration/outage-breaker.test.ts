import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import type { NotificationInput } from '../../src/neuxnet/notification.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification: NotificationInput = { title: 'Outage', text: 'Still coming', navigateType: 1, language: 'en_US', openIds: ['u-1'] };

describe('global backoff during a sendNotify outage', () => {
  it('a 3 s run of 503s pauses the queue instead of spending attempts: nothing dead-lettered, calls bounded', async () => {
    pipeline = await startPipeline({
      sandbox: { faults: [{ httpStatus: 503 }] },
      // Three attempts 50 ms apart would be spent in well under a second without the breaker.
      config: { attempts: 3, backoffMs: 50, concurrency: 10, outageThreshold: 5, outageMaxPauseMs: 1_000 },
    });
    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => pipeline!.producer.send({ ...notification, title: `n${i}` })));
    await waitUntil(() => pipeline!.logs.lines().some((l) => /sendNotify looks down/.test(String(l.msg))), {
      message: 'the breaker trips',
    });
    const outageStart = Date.now();
    await waitUntil(() => Date.now() - outageStart >= 3_000, { timeoutMs: 5_000, intervalMs: 100 });
    const duringOutage = pipeline.sandbox.stats().requests;
    pipeline.sandbox.setFaults([]);

    const outcomes = await pipeline.waitForJobs(sent.flatMap(jobIdsOf), 20_000);
    expect(outcomes.every((o) => o.status === 'delivered')).toBe(true);
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
    // Pauses of 1 s for 3 s: each probe wave is at most `concurrency` calls, plus the calls before the trip.
    expect(duringOutage).toBeLessThanOrEqual(5 + 10 * 6);
    const jobs = (await Promise.all(sent.map((s) => pipeline!.producer.deliveries.getJob(`${s.id}.0`)))) as Job[];
    expect(Math.max(...jobs.map((j) => j.attemptsMade))).toBeLessThanOrEqual(2);
    expect(pipeline.logs.lines().some((l) => /sendNotify answers again/.test(String(l.msg)))).toBe(true);
    console.log(`[outage] 30 jobs, 3 s of 503: ${duringOutage} calls during the outage, 0 dead letters`);
  });

  it('turned off (NEUPUSH_OUTAGE_THRESHOLD=0), the same outage exhausts the attempts', async () => {
    pipeline = await startPipeline({
      sandbox: { faults: [{ httpStatus: 503 }] },
      config: { attempts: 2, backoffMs: 50, outageThreshold: 0 },
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => pipeline!.producer.send({ ...notification, title: `n${i}` })));
    const entries = await pipeline.waitForDeadLetters(6, 15_000);
    expect(entries.every((e) => e.reason === 'exhausted')).toBe(true);
  });
});
