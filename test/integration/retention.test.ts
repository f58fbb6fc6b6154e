import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { FINISHED_JOB_RETENTION } from '../../src/shared/queues.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const note = (openId: string) => ({ title: 'Receipt', text: 'Paid 12.00', navigateType: 1, language: 'en_US', openIds: [openId] }) as const;

describe('retention of finished delivery jobs (the worker applies it)', () => {
  it('a delivered job carries no retention of its own, and the worker removes completed jobs older than 24 h', async () => {
    pipeline = await startPipeline();
    const first = await pipeline.producer.send(note('u-1'));
    await pipeline.waitForJobs(jobIdsOf(first));
    const job = (await pipeline.producer.deliveries.getJob(`${first.id}.0`)) as Job<DeliveryJobData>;
    expect(job.opts.removeOnComplete).toBeUndefined();
    expect(job.opts.removeOnFail).toBeUndefined();
    expect(pipeline.workers[0]?.worker.opts).toMatchObject(FINISHED_JOB_RETENTION);

    // Age the first job's completion by 25 h: the next completion trims it, as BullMQ does by the worker's keepJobs.
    const completed = `${pipeline.prefix}:${pipeline.producer.deliveries.name}:completed`;
    await pipeline.redis.zadd(completed, 'XX', Date.now() - 25 * 3600 * 1000, job.id as string);
    const second = await pipeline.producer.send(note('u-2'));
    await pipeline.waitForJobs(jobIdsOf(second));
    expect(await pipeline.redis.zscore(completed, job.id as string)).toBeNull();
    expect(await pipeline.redis.zscore(completed, `${second.id}.0`)).not.toBeNull();
  });
});
