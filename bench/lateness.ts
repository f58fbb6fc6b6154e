import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { destination } from 'pino';
import { Producer } from '../src/producer/producer.js';
import { startWorker } from '../src/worker/worker.js';
import { createLogger } from '../src/shared/logger.js';
import type { Config } from '../src/shared/config.js';
import { notificationOf, type DeliveryJobData } from '../src/shared/job-data.js';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { APPID, SECRET, deliveryData, notificationFor, percentile, prefix, rawSender, closeRawContender } from './common.js';

export interface Lateness {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LatenessRow {
  hz: number;
  /** `instant`: every notification due at one moment (drain time); `spread`: due evenly over `spreadMs`. */
  shape: 'instant' | 'spread';
  ours: Lateness;
  rawBullmq: Lateness;
}

const LEAD_MS = 3_000;

function summary(samples: number[]): Lateness {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

function dueTimes(count: number, shape: 'instant' | 'spread', spreadMs: number): number[] {
  const t0 = Date.now() + LEAD_MS;
  return Array.from({ length: count }, (_, i) => (shape === 'instant' ? t0 : t0 + Math.round((i * spreadMs) / count)));
}

async function waitFor(samples: number[], count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (samples.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${samples.length} of ${count} lateness samples`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ours: `producer.send` with `sendAt`, our worker; lateness = start of the call minus the intended time. */
async function ours(redisUrl: string, sandboxUrl: string, due: number[], spreadMs: number): Promise<Lateness> {
  const config: Partial<Config> = { redisUrl, prefix: prefix('late'), baseUrl: sandboxUrl, appid: APPID, secret: SECRET, rateLimit: 1_000_000, metricsPort: 0 };
  const samples: number[] = [];
  const handle = await startWorker({
    env: {},
    config,
    logger: createLogger({ level: 'info', destination: destination({ dest: '/dev/null', sync: false }) }),
    hooks: { onCall: (_data, _result, latenessMs) => samples.push(latenessMs) },
  });
  const producer = await Producer.create({ env: {}, config });
  await Promise.all(
    due.map((at, i) => {
      const { openIds, ...rest } = notificationFor(i);
      return producer.send({ ...rest, openIds: openIds ?? [] }, { sendAt: new Date(at) });
    }),
  );
  if (Date.now() > Math.min(...due)) throw new Error('enqueueing took longer than the lead time; raise LEAD_MS');
  await waitFor(samples, due.length, LEAD_MS + spreadMs + 60_000);
  await handle.close();
  await producer.deliveries.obliterate({ force: true });
  await producer.close();
  return summary(samples);
}

/** Raw BullMQ: delayed jobs, a bare worker doing the same signed POST; lateness taken at the processor's start. */
async function raw(redisUrl: string, sandboxUrl: string, due: number[], spreadMs: number): Promise<Lateness> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const p = prefix('late-raw');
  const queue = new Queue<DeliveryJobData>('raw', { connection, prefix: p });
  const sender = rawSender(sandboxUrl, 50);
  const samples: number[] = [];
  // BullMQ leaves a connection it was given open on close; this one is closed below.
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<DeliveryJobData>(
    'raw',
    async (job: Job<DeliveryJobData>) => {
      samples.push(Date.now() - job.data.sendAt);
      await sender.send(notificationOf(job.data));
    },
    { connection: workerConnection, prefix: p, concurrency: 50 },
  );
  worker.on('error', () => {});
  await worker.waitUntilReady();
  const now = Date.now();
  await queue.addBulk(due.map((at, i) => ({ name: 'raw', data: deliveryData(i, at), opts: { delay: at - now, timestamp: now, removeOnComplete: 1_000 } })));
  await waitFor(samples, due.length, LEAD_MS + spreadMs + 60_000);
  await closeRawContender({ worker, sender, queue, connection, workerConnection });
  return summary(samples);
}

/** The median run by p99. */
function medianRun(runs: Lateness[]): Lateness {
  return [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)] as Lateness;
}

/**
 * For each Redis hz: notifications due at one instant (really the drain time of `count` jobs, so
 * throughput-bound and noisy: `instantRounds` alternating runs, median by p99) and spread over `spreadMs`.
 */
export async function benchLateness(o: {
  sandboxUrl: string;
  count: number;
  spreadMs: number;
  hzs: number[];
  instantRounds: number;
}): Promise<LatenessRow[]> {
  const rows: LatenessRow[] = [];
  for (const hz of o.hzs) {
    const server = await startRedisServer({ args: ['--hz', String(hz)] });
    try {
      for (const shape of ['instant', 'spread'] as const) {
        const oursRuns: Lateness[] = [];
        const rawRuns: Lateness[] = [];
        const rounds = shape === 'instant' ? o.instantRounds : 1;
        for (let round = 0; round < rounds; round++) {
          const first = round % 2 === 0 ? 'ours' : 'raw';
          for (const who of first === 'ours' ? ['ours', 'raw'] : ['raw', 'ours']) {
            const due = dueTimes(o.count, shape, o.spreadMs);
            if (who === 'ours') oursRuns.push(await ours(server.url, o.sandboxUrl, due, o.spreadMs));
            else rawRuns.push(await raw(server.url, o.sandboxUrl, due, o.spreadMs));
          }
        }
        rows.push({ hz, shape, ours: medianRun(oursRuns), rawBullmq: medianRun(rawRuns) });
      }
    } finally {
      await server.destroy();
    }
  }
  return rows;
}
