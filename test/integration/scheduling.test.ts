import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification = { title: 'Reminder', text: 'Your table is ready', navigateType: 1, language: 'en_US', openIds: ['u-1'] } as const;

describe('scheduled sends', () => {
  it('sends go out not before their times, in the order of their times', async () => {
    pipeline = await startPipeline();
    const now = Date.now();
    const later = new Date(now + 2_000);
    const sooner = new Date(now + 1_000);
    const laterResult = await pipeline.producer.send({ ...notification, openIds: ['u-later'] }, { sendAt: later });
    const soonerResult = await pipeline.producer.send({ ...notification, openIds: ['u-sooner'] }, { sendAt: sooner });
    await pipeline.waitForJobs([...jobIdsOf(laterResult), ...jobIdsOf(soonerResult)], 30_000);

    const accepted = pipeline.sandbox.accepted;
    expect(accepted.map((a) => a.openIds)).toEqual([['u-sooner'], ['u-later']]);
    expect(accepted[0]!.receivedAt).toBeGreaterThanOrEqual(sooner.getTime());
    expect(accepted[1]!.receivedAt).toBeGreaterThanOrEqual(later.getTime());
  });

  it('a wall-clock time in Asia/Riyadh goes out at that instant, not before', async () => {
    pipeline = await startPipeline();
    const local = DateTime.now().setZone('Asia/Riyadh').plus({ seconds: 1 });
    const wallClock = local.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
    const result = await pipeline.producer.send(notification, { sendAt: wallClock, timezone: 'Asia/Riyadh' });
    const job = await pipeline.producer.deliveries.getJob(jobIdsOf(result)[0]!);
    expect(job!.data.sendAt).toBe(local.toMillis());
    await pipeline.waitForJobs(jobIdsOf(result), 30_000);

    const [request] = pipeline.sandbox.accepted;
    expect(request!.receivedAt).toBeGreaterThanOrEqual(local.toMillis());
  });

  it('a job already past its deadline when a worker picks it up is dead-lettered `expired` without a call', async () => {
    pipeline = await startPipeline({ worker: false });
    const result = await pipeline.producer.send(notification, { expiresIn: 60_000 });
    // The worker's clock is two minutes ahead: the job is past its deadline without anyone waiting for it.
    const startedAt = Date.now();
    await pipeline.startWorker({ localClock: { now: () => Date.now() + 120_000 } });

    const [outcome] = await pipeline.waitForJobs(jobIdsOf(result));
    expect(outcome).toEqual({ status: 'dead-lettered', reason: 'expired' });
    const [entry] = await pipeline.waitForDeadLetters(1);
    expect(entry).toMatchObject({ id: jobIdsOf(result)[0], reason: 'expired', attempts: 0, notificationId: result.id });
    expect(entry!.lastError).toContain('deadline');
    // The dead letter's time is the worker's clock too, not the host's.
    expect(Date.parse(entry!.failedAt)).toBeGreaterThanOrEqual(startedAt + 120_000);
    expect(pipeline.sandbox.stats().requests).toBe(0);
  });

  it('lateness is measured on the worker clock: onCall sees the intended send time against it', async () => {
    pipeline = await startPipeline({ worker: false });
    const lateness: number[] = [];
    await pipeline.startWorker({ localClock: { now: () => Date.now() + 30_000 }, hooks: { onCall: (_d, _r, ms) => void lateness.push(ms) } });
    const result = await pipeline.producer.send(notification);
    await pipeline.waitForJobs(jobIdsOf(result));
    expect(lateness).toHaveLength(1);
    expect(lateness[0]).toBeGreaterThanOrEqual(30_000);
  });
});
