import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/neuxnet/clock.js';
import type { SkewClock } from '../../src/neuxnet/clock-skew.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { freePort } from '../helpers/redis-server.js';
import type { NotificationInput } from '../../src/neuxnet/notification.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification: NotificationInput = { title: 'Order shipped', text: 'On its way', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] };
const SEVEN_MINUTES = 7 * 60_000;

describe('clock skew against a platform whose clock is off by 7 minutes', () => {
  it.each([
    ['ahead', SEVEN_MINUTES],
    ['behind', -SEVEN_MINUTES],
  ])('platform %s: the first answer teaches the offset, the request is signed again and delivered', async (_dir, offsetMs) => {
    pipeline = await startPipeline({ sandbox: { clockOffsetMs: offsetMs } });
    const result = await pipeline.producer.send(notification);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'delivered', recipients: 2 }]);

    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 2, rejected: 1, accepted: 1 });
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
    const accepted = pipeline.sandbox.accepted[0]!;
    expect(Math.abs(Number(accepted.params.timestamp) - accepted.receivedAt)).toBeLessThan(5_000);

    const clock = pipeline.workers[0]!.clock as SkewClock;
    expect(Math.abs(clock.offsetMs - offsetMs)).toBeLessThan(2_000);
    const lines = pipeline.logs.lines();
    expect(lines.filter((l) => /signing with the corrected time/.test(String(l.msg)))).toHaveLength(1);
    expect(lines.filter((l) => /rejected for its timestamp/.test(String(l.msg)))).toHaveLength(1);
    console.log(`[clock-skew] platform ${offsetMs / 1000} s off: estimated ${clock.offsetMs / 1000} s; 2 requests, delivered`);
  });

  it('many jobs at once: all delivered, at most one extra request each, and none once the offset is known', async () => {
    pipeline = await startPipeline({ sandbox: { clockOffsetMs: SEVEN_MINUTES } });
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => pipeline!.producer.send({ ...notification, title: `n${i}` })));
    await pipeline.waitForJobs(first.flatMap(jobIdsOf), 20_000);
    const afterFirst = pipeline.sandbox.stats();
    expect(afterFirst.accepted).toBe(20);
    expect(afterFirst.requests).toBeLessThanOrEqual(40);

    const later = await Promise.all(Array.from({ length: 10 }, (_, i) => pipeline!.producer.send({ ...notification, title: `m${i}` })));
    await pipeline.waitForJobs(later.flatMap(jobIdsOf), 20_000);
    const stats = pipeline.sandbox.stats();
    expect(stats.requests - afterFirst.requests).toBe(10);
    expect(stats.accepted).toBe(30);
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
    console.log(`[clock-skew] 20 concurrent jobs on a 7-min skew: ${afterFirst.requests} requests; 10 later jobs: 10 requests`);
  });

  it('reports the offset as the neupush_clock_offset_seconds gauge', async () => {
    pipeline = await startPipeline({ sandbox: { clockOffsetMs: -SEVEN_MINUTES }, worker: false });
    const worker = await pipeline.startWorker({ config: { metricsPort: await freePort() } });
    const result = await pipeline.producer.send(notification);
    await pipeline.waitForJobs(jobIdsOf(result));
    const text = await (await fetch(`${worker.metricsUrl!}/metrics`)).text();
    const value = Number(/^neupush_clock_offset_seconds (\S+)$/m.exec(text)?.[1]);
    expect(Math.abs(value + 420)).toBeLessThan(2);
    expect(text).toMatch(/^neupush_sendnotify_outage 0$/m);
  });

  it('without the skew-aware clock the same request is rejected and dead-lettered (why the clock matters)', async () => {
    pipeline = await startPipeline({ sandbox: { clockOffsetMs: SEVEN_MINUTES }, worker: false });
    await pipeline.startWorker({ clock: systemClock });
    await pipeline.producer.send(notification);
    const [entry] = await pipeline.waitForDeadLetters(1);
    expect(entry).toMatchObject({ reason: 'rejected', attempts: 1 });
    expect(entry?.lastError).toMatch(/timestamp outside the 5-minute window/);
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, rejected: 1 });
  });
});
