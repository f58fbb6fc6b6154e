import { afterEach, describe, expect, it } from 'vitest';
import { JOB_NAME } from '../../src/shared/queue-names.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import { waitUntil } from '../helpers/isolation.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification = { title: 'Welcome', text: 'Glad to have you', navigateType: 1, language: 'zh_CN', openIds: ['u-7'] } as const;

describe('dead letters', () => {
  it.each([
    { how: 'header status 400 in an HTTP 200', fault: { headerStatus: 400, msg: 'openIds invalid' }, lastStatus: 400, lastHttpStatus: 200 },
    { how: 'HTTP 400', fault: { httpStatus: 400, msg: 'bad request' }, lastStatus: 400, lastHttpStatus: 400 },
  ])('rejected ($how): one call, then `rejected` with status and msg kept', async ({ fault, lastStatus, lastHttpStatus }) => {
    pipeline = await startPipeline({ sandbox: { faults: [fault] } });
    const result = await pipeline.producer.send(notification);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'dead-lettered', reason: 'rejected' }]);

    expect(pipeline.sandbox.stats().requests).toBe(1);
    const [entry] = await pipeline.producer.listDeadLetters();
    expect(entry).toMatchObject({ id: jobIdsOf(result)[0], reason: 'rejected', attempts: 1, lastStatus, lastHttpStatus, notificationId: result.id });
    expect(entry!.lastError).toContain(fault.msg);
    expect(entry!.notification).toMatchObject({ title: 'Welcome', openIds: ['u-7'] });
  });

  it('a wrong secret: the platform refuses the signature, one call, `rejected` with 401', async () => {
    pipeline = await startPipeline({ worker: false });
    await pipeline.startWorker({ config: { secret: 'not-the-secret' } });
    const result = await pipeline.producer.send(notification);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'dead-lettered', reason: 'rejected' }]);
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, rejected: 1 });
    const [entry] = await pipeline.producer.listDeadLetters();
    expect(entry).toMatchObject({ reason: 'rejected', attempts: 1, lastStatus: 401 });
    expect(entry!.lastError).toContain('signature mismatch');
    expect(pipeline.logs.text()).not.toContain('not-the-secret');
  });

  it('one chunk rejected: only that chunk is dead-lettered, the others are delivered', async () => {
    pipeline = await startPipeline({ sandbox: { faults: [{ match: { openId: 'open-150' }, headerStatus: 400, msg: 'openId open-150 unknown' }] } });
    const openIds = Array.from({ length: 250 }, (_, i) => `open-${i}`);
    const result = await pipeline.producer.send({ ...notification, openIds });
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([
      { status: 'delivered', recipients: 100 },
      { status: 'dead-lettered', reason: 'rejected' },
      { status: 'delivered', recipients: 50 },
    ]);
    const [entry] = await pipeline.producer.listDeadLetters();
    expect(entry).toMatchObject({ id: `${result.id}.1`, notificationId: result.id, recipients: 100 });
    expect(pipeline.sandbox.accepted.flatMap((r) => r.openIds)).toHaveLength(150);
  });

  it('attempts used up: exactly that many calls, then `exhausted`', async () => {
    pipeline = await startPipeline({ config: { attempts: 3 }, sandbox: { faults: [{ httpStatus: 503, msg: 'down for maintenance' }] } });
    const result = await pipeline.producer.send(notification);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'dead-lettered', reason: 'exhausted' }]);

    expect(pipeline.sandbox.stats().requests).toBe(3);
    const [entry] = await pipeline.producer.listDeadLetters();
    expect(entry).toMatchObject({ reason: 'exhausted', attempts: 3, lastStatus: 503, lastHttpStatus: 503 });
    expect(entry!.lastError).toContain('down for maintenance');
  });

  it('a retry that would land after the deadline: `expired` instead of a late retry', async () => {
    pipeline = await startPipeline({ sandbox: { faults: [{ httpStatus: 503, retryAfterSeconds: 30 }] } });
    const result = await pipeline.producer.send(notification, { expiresIn: '10s' });
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'dead-lettered', reason: 'expired' }]);

    expect(pipeline.sandbox.stats().requests).toBe(1);
    const [entry] = await pipeline.producer.listDeadLetters();
    expect(entry).toMatchObject({ reason: 'expired', attempts: 1, lastStatus: 503 });
    expect(entry!.lastError).toContain('after the deadline');
  });

  it('job data that fails the schema: `invalid`, no call', async () => {
    pipeline = await startPipeline();
    const bad = { v: 1, notificationId: 'n-x', deliveryKey: 'n-x.0', notification: { title: '', text: 'x' }, sendAt: 0, deadline: 0 };
    await pipeline.producer.deliveries.add(JOB_NAME.notification, bad as unknown as DeliveryJobData, { jobId: 'n-x.0' });
    expect(await pipeline.waitForJobs(['n-x.0'])).toEqual([{ status: 'dead-lettered', reason: 'invalid' }]);

    expect(pipeline.sandbox.stats().requests).toBe(0);
    const [entry] = await pipeline.producer.listDeadLetters();
    expect(entry).toMatchObject({ id: 'n-x.0', reason: 'invalid', attempts: 0 });
    expect(entry!.lastError).toMatch(/notification\.title/);
  });

  it('a job BullMQ fails for good on its own (stalled past the limit) still ends in the DLQ, no call', async () => {
    pipeline = await startPipeline({ worker: false });
    const result = await pipeline.producer.send(notification);
    const [jobId] = jobIdsOf(result);
    // What BullMQ's stalled-job check writes once a job has stalled more than maxStalledCount times
    // (moveStalledJobsToWait.lua): the next worker to take the job fails it without running the processor.
    await pipeline.redis.hset(`${pipeline.prefix}:deliveries:${jobId}`, 'defa', 'job stalled more than allowable limit');
    const reported: [string | undefined, string][] = [];
    await pipeline.startWorker({ hooks: { onDeadLettered: (data, reason) => void reported.push([data && 'notificationId' in data ? data.notificationId : undefined, reason]) } });

    const [entry] = await pipeline.waitForDeadLetters(1);
    expect(entry).toMatchObject({ id: jobId, reason: 'exhausted', lastError: 'job stalled more than allowable limit', notificationId: result.id });
    expect(pipeline.sandbox.stats().requests).toBe(0);
    // Reported to the hooks (metrics, campaign counters, the caller's) like any other dead letter.
    await waitUntil(() => reported.length > 0, { message: 'onDeadLettered for the safety-net dead letter' });
    expect(reported).toEqual([[result.id, 'exhausted']]);
  });
});

describe('redrive', () => {
  it('puts a dead letter back and it is delivered; the DLQ is left empty', async () => {
    pipeline = await startPipeline({ sandbox: { faults: [{ headerStatus: 403, msg: 'app not published' }] } });
    const result = await pipeline.producer.send(notification);
    await pipeline.waitForJobs(jobIdsOf(result));
    expect((await pipeline.producer.listDeadLetters()).map((e) => e.reason)).toEqual(['rejected']);

    pipeline.sandbox.setFaults([]);
    expect(await pipeline.producer.redriveDeadLetters('all')).toEqual({ redriven: 1, skipped: [] });
    const [redriven] = await pipeline.waitForJobs([`${jobIdsOf(result)[0]}.r1`]);
    expect(redriven).toEqual({ status: 'delivered', recipients: 1 });
    expect(pipeline.sandbox.accepted.map((r) => r.openIds)).toEqual([['u-7']]);
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
  });

  it('gives an expired dead letter a fresh deadline, and skips an invalid one with the reason', async () => {
    pipeline = await startPipeline({ worker: false });
    const result = await pipeline.producer.send(notification, { expiresIn: 100 });
    const [jobId] = jobIdsOf(result);
    const deadline = (await pipeline.producer.deliveries.getJob(jobId!))!.data.deadline;
    await pipeline.producer.deliveries.add(JOB_NAME.notification, { v: 1 } as unknown as DeliveryJobData, { jobId: 'n-bad.0' });
    await waitUntil(() => Date.now() > deadline, { timeoutMs: 2_000, message: 'the deadline has passed' });
    await pipeline.startWorker();
    expect(await pipeline.waitForJobs([jobId!, 'n-bad.0'])).toEqual([
      { status: 'dead-lettered', reason: 'expired' },
      { status: 'dead-lettered', reason: 'invalid' },
    ]);

    const redrive = await pipeline.producer.redriveDeadLetters('all');
    expect(redrive.redriven).toBe(1);
    expect(redrive.skipped).toEqual([{ id: 'n-bad.0', why: expect.stringContaining('fails the schema') }]);
    expect(await pipeline.waitForJobs([`${jobId}.r1`])).toEqual([{ status: 'delivered', recipients: 1 }]);
    expect((await pipeline.producer.listDeadLetters()).map((e) => e.id)).toEqual(['n-bad.0']);
  });

  it('does not resend what the platform already accepted', async () => {
    pipeline = await startPipeline();
    const result = await pipeline.producer.send(notification);
    const [jobId] = jobIdsOf(result);
    await pipeline.waitForJobs([jobId!]);
    expect(pipeline.sandbox.accepted).toHaveLength(1);

    // A dead letter for a delivery the platform accepted, as a crash between its answer and the job's
    // completion can leave behind; an operator redriving it must not notify the recipients twice.
    const job = await pipeline.producer.deliveries.getJob(jobId!);
    await pipeline.producer.deadLetters.add('exhausted', {
      v: 1,
      reason: 'exhausted',
      attempts: 1,
      lastError: 'stalled',
      jobId: jobId!,
      delivery: job!.data,
      queuedAt: job!.timestamp,
      failedAt: Date.now(),
    }, { jobId: jobId! });

    expect(await pipeline.producer.redriveDeadLetters([jobId!])).toEqual({ redriven: 1, skipped: [] });
    expect(await pipeline.waitForJobs([`${jobId}.r1`])).toEqual([{ status: 'duplicate-suppressed' }]);
    expect(pipeline.sandbox.stats().requests).toBe(1);
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
  });
});
