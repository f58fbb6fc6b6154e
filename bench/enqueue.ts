import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Producer } from '../src/producer/producer.js';
import { loadConfig } from '../src/shared/config.js';
import { JOB_NAME, PRIORITY } from '../src/shared/queue-names.js';
import { deliveryJobOptions } from '../src/shared/queues.js';
import type { DeliveryJobData } from '../src/shared/job-data.js';
import { deliveryData, notificationFor, prefix } from './common.js';

export interface Rate {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
}

export interface EnqueueFigures {
  /** `producer.send` of one 100-openId notification per call, `inFlight` calls at a time. */
  send: Rate;
  /** Raw `Queue.add` of the same jobs (same data and options), `inFlight` at a time. */
  rawAdd: Rate;
  /** Raw `addBulk` of the same jobs, batches of 1,000, 4 in flight. */
  rawAddBulk: Rate;
}

const rate = (jobs: number, ms: number): Rate => ({ jobs, seconds: ms / 1_000, jobsPerSecond: jobs / (ms / 1_000) });

async function lanes(count: number, inFlight: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return Date.now() - started;
}

export async function benchEnqueue(o: { redisUrl: string; jobs: number; inFlight: number }): Promise<EnqueueFigures> {
  const producer = await Producer.create({ env: {}, config: { redisUrl: o.redisUrl, prefix: prefix('send') } });
  const notifications = Array.from({ length: o.jobs }, (_, i) => {
    const { openIds, ...rest } = notificationFor(i);
    return { ...rest, openIds: openIds ?? [] };
  });
  await lanes(200, o.inFlight, (i) => producer.send(notifications[i]!)); // warm-up
  const sendMs = await lanes(o.jobs, o.inFlight, (i) => producer.send(notifications[i]!));
  await producer.deliveries.obliterate({ force: true });
  await producer.close();

  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const config = loadConfig({}, { redisUrl: o.redisUrl, prefix: prefix('raw') });
  const queue = new Queue<DeliveryJobData>('raw', { connection, prefix: config.prefix });
  const job = (i: number) => {
    const data = deliveryData(i);
    return { name: JOB_NAME.notification, data, opts: deliveryJobOptions(config, { jobId: data.deliveryKey, delay: 0, priority: PRIORITY.oneOff }) };
  };
  const addMs = await lanes(o.jobs, o.inFlight, (i) => {
    const j = job(i);
    return queue.add(j.name, j.data, j.opts);
  });
  await queue.obliterate({ force: true });
  const batches = Math.ceil(o.jobs / 1_000);
  const bulkMs = await lanes(batches, 4, (b) =>
    queue.addBulk(Array.from({ length: Math.min(1_000, o.jobs - b * 1_000) }, (_, k) => job(o.jobs + b * 1_000 + k))),
  );
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { send: rate(o.jobs, sendMs), rawAdd: rate(o.jobs, addMs), rawAddBulk: rate(o.jobs, bulkMs) };
}
