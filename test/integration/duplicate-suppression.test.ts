import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { JOB_NAME, PRIORITY } from '../../src/shared/queue-names.js';
import { deliveryJobOptions } from '../../src/shared/queues.js';
import { sentKey } from '../../src/worker/sent-records.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import type { NotificationInput } from '../../src/neuxnet/notification.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification: NotificationInput = { title: 'Receipt', text: 'Paid 12.00', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2', 'u-3'] };

/** Queue a copy of a delivery under another job id, as a stalled-job re-run or a redrive presents it. */
async function addCopy(p: Pipeline, data: DeliveryJobData, jobId: string): Promise<void> {
  await p.producer.deliveries.add(JOB_NAME.notification, data, deliveryJobOptions(p.producer.config, { jobId, delay: 0, priority: PRIORITY.oneOff }));
}

describe('duplicate suppression', () => {
  it('a delivery run again after the platform accepted it is not sent again', async () => {
    pipeline = await startPipeline();
    const result = await pipeline.producer.send(notification);
    await pipeline.waitForJobs(jobIdsOf(result));
    const original = (await pipeline.producer.deliveries.getJob(`${result.id}.0`)) as Job<DeliveryJobData>;

    await addCopy(pipeline, original.data, `${result.id}.0.again`);
    expect(await pipeline.waitForJobs([`${result.id}.0.again`])).toEqual([{ status: 'duplicate-suppressed' }]);
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, accepted: 1 });
  });

  it('two runs of one delivery at the same time (a lock lost while its worker lives): one call', async () => {
    // Slow answers keep the first run inside its call while the second one starts.
    pipeline = await startPipeline({ sandbox: { latencyMs: 400 } });
    const result = await pipeline.producer.send(notification, { sendAt: new Date(Date.now() + 60_000) });
    const queued = (await pipeline.producer.deliveries.getJob(`${result.id}.0`)) as Job<DeliveryJobData>;
    await queued.remove();
    await Promise.all([addCopy(pipeline, queued.data, 'run-a'), addCopy(pipeline, queued.data, 'run-b')]);

    const outcomes = await pipeline.waitForJobs(['run-a', 'run-b'], 15_000);
    expect(outcomes).toContainEqual({ status: 'delivered', recipients: 3 });
    expect(outcomes).toContainEqual({ status: 'duplicate-suppressed' });
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, accepted: 1 });
    expect(pipeline.logs.lines().some((l) => /another run of this delivery is calling sendNotify/.test(String(l.msg)))).toBe(true);
  });

  it('a claim left by a crashed run lapses: the delivery goes out once it does, without using an attempt', async () => {
    pipeline = await startPipeline({ worker: false });
    const result = await pipeline.producer.send(notification);
    const jobId = `${result.id}.0`;
    const job = (await pipeline.producer.deliveries.getJob(jobId)) as Job<DeliveryJobData>;
    const claimedAt = Date.now();
    await pipeline.redis.set(sentKey(pipeline.prefix, job.data.deliveryKey), 'claim:crashed-worker', 'PX', 1_500);
    await pipeline.startWorker();

    expect(await pipeline.waitForJobs([jobId], 15_000)).toEqual([{ status: 'delivered', recipients: 3 }]);
    expect(pipeline.sandbox.accepted[0]!.receivedAt - claimedAt).toBeGreaterThanOrEqual(1_500);
    expect(pipeline.sandbox.stats().requests).toBe(1);
    expect(((await pipeline.producer.deliveries.getJob(jobId)) as Job).attemptsMade).toBe(1);
  });

  it('a failed call releases its claim, so the retry is not held up', async () => {
    pipeline = await startPipeline({ sandbox: { faults: [{ times: 1, httpStatus: 503 }] } });
    const result = await pipeline.producer.send(notification);
    await pipeline.waitForJobs(jobIdsOf(result));
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 2, accepted: 1 });
    // A retry held up by its own claim would have been deferred as "another run" until the claim lapsed.
    expect(pipeline.logs.lines().some((l) => /another run of this delivery/.test(String(l.msg)))).toBe(false);
    expect(((await pipeline.producer.deliveries.getJob(`${result.id}.0`)) as Job).attemptsMade).toBe(2);
  });

  it('redrive of a dead letter whose delivery the platform had accepted does not resend it', async () => {
    pipeline = await startPipeline({ worker: false, config: { attempts: 2 } });
    // The call succeeds but what follows it fails on every attempt (say, a campaign counter's Redis write):
    // the job ends `exhausted` in the dead-letter queue although its notification went out.
    await pipeline.startWorker({
      hooks: {
        onDelivered: () => {
          throw new Error('counter write failed');
        },
      },
    });
    await pipeline.producer.send(notification);
    const [entry] = await pipeline.waitForDeadLetters(1, 15_000);
    expect(entry).toMatchObject({ reason: 'exhausted' });
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, accepted: 1 });
    await Promise.all(pipeline.workers.map((w) => w.close()));
    pipeline.workers.length = 0;

    await pipeline.startWorker();
    expect(await pipeline.producer.redriveDeadLetters('all')).toMatchObject({ redriven: 1 });
    await waitUntil(() => [...pipeline!.outcomes.values()].some((o) => o.status === 'duplicate-suppressed'), {
      message: 'the redriven job completes as duplicate-suppressed',
    });
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, accepted: 1 });
  });
});
