import { randomUUID } from 'node:crypto';
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
  /** `producer.send` of one 100-openId notification per call, `inFlight` calls at a time; best round. */
  send: Rate;
  /** Raw `Queue.add` of the same jobs (same data and options), `inFlight` at a time; best round. */
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

/**
 * `send` against `Queue.add` in alternating order over `rounds` rounds, best of each (noise on a shared
 * machine only ever slows a run down). Both contenders' inputs are built before the clock starts.
 */
export async function benchEnqueue(o: { redisUrl: string; jobs: number; inFlight: number; rounds?: number }): Promise<EnqueueFigures> {
  const producer = await Producer.create({ env: {}, config: { redisUrl: o.redisUrl, prefix: prefix('send') } });
  const notifications = Array.from({ length: o.jobs }, (_, i) => {
    const { openIds, ...rest } = notificationFor(i);
    return { ...rest, openIds: openIds ?? [] };
  });
  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const config = loadConfig({}, { redisUrl: o.redisUrl, prefix: prefix('raw') });
  const queue = new Queue<DeliveryJobData>('raw', { connection, prefix: config.prefix });
  const job = (i: number) => {
    // Ids of the shape `send` gives (`n-<uuid>`, job `n-<uuid>.0`): the same job data size and key lengths.
    const id = `n-${randomUUID()}`;
    const data = { ...deliveryData(i), notificationId: id, deliveryKey: `${id}.0` };
    return { name: JOB_NAME.notification, data, opts: deliveryJobOptions(config, { jobId: data.deliveryKey, delay: 0, priority: PRIORITY.oneOff }) };
  };
  const rawJobs = Array.from({ length: o.jobs }, (_, i) => job(i));
  const sendRound = async () => {
    const ms = await lanes(o.jobs, o.inFlight, (i) => producer.send(notifications[i]!));
    await producer.deliveries.obliterate({ force: true });
    return ms;
  };
  const addRound = async () => {
    const ms = await lanes(o.jobs, o.inFlight, (i) => queue.add(rawJobs[i]!.name, rawJobs[i]!.data, rawJobs[i]!.opts));
    await queue.obliterate({ force: true });
    return ms;
  };
  // Warm-up: one untimed pass of each. With 200 jobs each, the first round ran 1.5 to 2 times slower than
  // the later ones for both contenders (the JIT and the heap still settling).
  await lanes(o.jobs, o.inFlight, (i) => producer.send(notifications[i]!));
  await lanes(o.jobs, o.inFlight, (i) => queue.add(rawJobs[i]!.name, rawJobs[i]!.data, rawJobs[i]!.opts));
  await Promise.all([producer.deliveries.obliterate({ force: true }), queue.obliterate({ force: true })]);
  let sendMs = Infinity;
  let addMs = Infinity;
  for (let round = 0; round < (o.rounds ?? 3); round++) {
    if (round % 2 === 0) {
      sendMs = Math.min(sendMs, await sendRound());
      addMs = Math.min(addMs, await addRound());
    } else {
      addMs = Math.min(addMs, await addRound());
      sendMs = Math.min(sendMs, await sendRound());
    }
  }
  await producer.close();

  const batches = Math.ceil(o.jobs / 1_000);
  const bulkMs = await lanes(batches, 4, (b) =>
    queue.addBulk(Array.from({ length: Math.min(1_000, o.jobs - b * 1_000) }, (_, k) => job(o.jobs + b * 1_000 + k))),
  );
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { send: rate(o.jobs, sendMs), rawAdd: rate(o.jobs, addMs), rawAddBulk: rate(o.jobs, bulkMs) };
}
