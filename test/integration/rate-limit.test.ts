import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const LIMIT = 20;
const JOBS = 60;
/** The sandbox sees a request a little after the limiter let it through, by an amount that varies under load. */
const TOLERANCE_MS = 250;

describe('NEUPUSH_RATE_LIMIT', () => {
  it('holds across two worker instances', async () => {
    pipeline = await startPipeline({ worker: false, config: { rateLimit: LIMIT, chunkSize: 1 } });
    const perWorker = [0, 0];
    for (const i of [0, 1]) {
      const handle = await pipeline.startWorker();
      handle.worker.on('completed', () => perWorker[i]!++);
    }
    const openIds = Array.from({ length: JOBS }, (_, i) => `u-${i}`);
    const result = await pipeline.producer.send({ title: 'Sale', text: 'Today', navigateType: 1, language: 'en_US', openIds });
    expect(result.jobs).toBe(JOBS);
    await pipeline.waitForJobs(jobIdsOf(result), 20_000);

    const times = pipeline.sandbox.accepted.map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(JOBS);
    // BullMQ's limiter opens a 1-s window at the first job it lets through, so any LIMIT + 1 consecutive
    // requests span a window boundary: at least about a second apart. Applied per worker instead (40/s
    // together) they would arrive within one burst, some tens of ms apart.
    const spans = times.slice(LIMIT).map((t, i) => t - times[i]!);
    expect(Math.min(...spans)).toBeGreaterThanOrEqual(1_000 - TOLERANCE_MS);
    expect(perWorker.every((n) => n > 0)).toBe(true);
  });
});
