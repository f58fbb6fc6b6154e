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
  /**
   * `producer.send` of one 100-openId notification per call, `inFlight` calls at a time; best round. In a
   * round the two contenders take turns in slices of `jobs / SLICES`, so both meet the same moments of a
   * shared machine; a round's time is the sum of its slices.
   */
  send: Rate;
  /** Raw `Queue.add` of the same jobs (same data and options), `inFlight` at a time; best round, as `send`. */
  rawAdd: Rate;
  /** The same two, each round one whole run of `jobs` after the other (how this section measured until 2026-12-02 14:40). */
  wholeRounds: { send: Rate; rawAdd: Rate };
  /** Raw `addBulk` of the same jobs, batches of 1,000, 4 in flight. */
  rawAddBulk: Rate;
}

const rate = (jobs: number, ms: number): Rate => ({ jobs, seconds: ms / 1_000, jobsPerSecond: jobs / (ms / 1_000) });

/** Slices per interleaved round: each a little over 1,000 jobs at the full bench's size. */
const SLICES = 8;

async function lanes(from: number, to: number, inFlight: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = from;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < to) await work(next++);
    }),
  );
  return performance.now() - started;
}

/**
 * `send` against `Queue.add`, best round of each over `rounds` (noise on a shared machine only ever slows a
 * run down). Interleaved: within a round the two take turns slice by slice, which goes first alternating, so
 * a slow spell of the machine falls on both; measured the older way too, one whole run after the other.
 * Both contenders' inputs are built before the clock starts.
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
  const send = (i: number) => producer.send(notifications[i]!);
  const add = (i: number) => queue.add(rawJobs[i]!.name, rawJobs[i]!.data, rawJobs[i]!.opts);
  const clear = () => Promise.all([producer.deliveries.obliterate({ force: true }), queue.obliterate({ force: true })]);
  await lanes(0, 200, o.inFlight, send); // warm-up
  await lanes(0, 200, o.inFlight, add);
  await clear();
  const rounds = o.rounds ?? 3;
  const best = { send: Infinity, add: Infinity, wholeSend: Infinity, wholeAdd: Infinity };
  const size = Math.ceil(o.jobs / SLICES);
  for (let round = 0; round < rounds; round++) {
    let sendMs = 0;
    let addMs = 0;
    for (let from = 0, k = 0; from < o.jobs; from += size, k++) {
      const to = Math.min(from + size, o.jobs);
      if ((round + k) % 2 === 0) {
        sendMs += await lanes(from, to, o.inFlight, send);
        addMs += await lanes(from, to, o.inFlight, add);
      } else {
        addMs += await lanes(from, to, o.inFlight, add);
        sendMs += await lanes(from, to, o.inFlight, send);
      }
    }
    await clear();
    best.send = Math.min(best.send, sendMs);
    best.add = Math.min(best.add, addMs);
  }
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? (['send', 'add'] as const) : (['add', 'send'] as const)) {
      const ms = await lanes(0, o.jobs, o.inFlight, which === 'send' ? send : add);
      if (which === 'send') best.wholeSend = Math.min(best.wholeSend, ms);
      else best.wholeAdd = Math.min(best.wholeAdd, ms);
      await clear();
    }
  }
  await producer.close();

  const batches = Math.ceil(o.jobs / 1_000);
  const bulkMs = await lanes(0, batches, 4, (b) =>
    queue.addBulk(Array.from({ length: Math.min(1_000, o.jobs - b * 1_000) }, (_, k) => job(o.jobs + b * 1_000 + k))),
  );
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return {
    send: rate(o.jobs, best.send),
    rawAdd: rate(o.jobs, best.add),
    wholeRounds: { send: rate(o.jobs, best.wholeSend), rawAdd: rate(o.jobs, best.wholeAdd) },
    rawAddBulk: rate(o.jobs, bulkMs),
  };
}
