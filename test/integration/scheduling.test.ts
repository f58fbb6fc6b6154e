import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/isolation.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification = { title: 'Reminder', text: 'Your table is ready', navigateType: 1, language: 'en_US', openIds: ['u-1'] } as const;

/** Generous: the machine is shared by several engineers' test runs. */
const PROMPT_MS = 2_000;

describe('scheduled sends', () => {
  it('a send 3 s ahead goes out not before its time and promptly after', async () => {
    pipeline = await startPipeline();
    const sendAt = new Date(Date.now() + 3_000);
    const result = await pipeline.producer.send(notification, { sendAt });
    await pipeline.waitForJobs(jobIdsOf(result), 3_000 + PROMPT_MS + 5_000);

    const [request] = pipeline.sandbox.accepted;
    expect(request!.receivedAt).toBeGreaterThanOrEqual(sendAt.getTime());
    expect(request!.receivedAt - sendAt.getTime()).toBeLessThan(PROMPT_MS);
  });

  it('a wall-clock time in Asia/Riyadh goes out at that instant', async () => {
    pipeline = await startPipeline();
    const local = DateTime.now().setZone('Asia/Riyadh').plus({ seconds: 3 });
    const wallClock = local.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
    const result = await pipeline.producer.send(notification, { sendAt: wallClock, timezone: 'Asia/Riyadh' });
    await pipeline.waitForJobs(jobIdsOf(result), 3_000 + PROMPT_MS + 5_000);

    const [request] = pipeline.sandbox.accepted;
    expect(request!.receivedAt).toBeGreaterThanOrEqual(local.toMillis());
    expect(request!.receivedAt - local.toMillis()).toBeLessThan(PROMPT_MS);
  });

  it('a job already past its deadline when a worker picks it up is dead-lettered `expired` without a call', async () => {
    pipeline = await startPipeline({ worker: false });
    const result = await pipeline.producer.send(notification, { expiresIn: 200 });
    const job = await pipeline.producer.deliveries.getJob(jobIdsOf(result)[0]!);
    const deadline = job!.data.deadline;
    await waitUntil(() => Date.now() > deadline, { timeoutMs: 2_000, message: 'the deadline has passed' });

    await pipeline.startWorker();
    const [outcome] = await pipeline.waitForJobs(jobIdsOf(result));
    expect(outcome).toEqual({ status: 'dead-lettered', reason: 'expired' });
    const [entry] = await pipeline.waitForDeadLetters(1);
    expect(entry).toMatchObject({ id: jobIdsOf(result)[0], reason: 'expired', attempts: 0, notificationId: result.id });
    expect(entry!.lastError).toContain('deadline');
    expect(pipeline.sandbox.stats().requests).toBe(0);
  });
});
