import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { destination } from 'pino';
import { startWorker } from '../src/worker/worker.js';
import { createLogger } from '../src/shared/logger.js';
import { loadConfig, type Config } from '../src/shared/config.js';
import { JOB_NAME, PRIORITY } from '../src/shared/queue-names.js';
import { addInBatches, FINISHED_JOB_RETENTION, deliveryJobOptions, openDeliveryQueue } from '../src/shared/queues.js';
import { notificationOf, type DeliveryJobData } from '../src/shared/job-data.js';
import { freePort } from '../src/shared/free-port.js';
import { startDrainProfile, stopDrainProfile } from './drain-profile.js';
import { APPID, SECRET, completions, deliveryData, notificationFor, prefix, rawSender, closeRawContender, type RawTransport } from './common.js';

export interface Throughput {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  recipientsPerSecond: number;
  /**
   * CPU time this process spent per request while draining (the sandbox and Redis run elsewhere): what the
   * worker itself costs, which neighbours on a shared machine disturb far less than they do the rate.
   */
  cpuMsPerRequest: number;
}

export interface DispatchFigures {
  ours: Throughput;
  /** The bare BullMQ worker of the targets: it signs and POSTs with got. */
  rawBullmq: Throughput;
  /** The same bare worker POSTing with undici, the HTTP client ours uses: what our own steps cost beside it. */
  rawUndici: Throughput;
  plainGot: Throughput;
  /** Only when asked for (bench/prof-dispatch.ts RAW=...). */
  rawVariant?: Throughput;
}

function throughput(requests: number, ms: number, cpu: NodeJS.CpuUsage): Throughput {
  const seconds = ms / 1_000;
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1_000 / requests;
  return { requests, seconds, requestsPerSecond: requests / seconds, recipientsPerSecond: (requests * 100) / seconds, cpuMsPerRequest };
}

/** Our worker as deployed (limiter, claims, hooks, metrics, JSON logs at info to /dev/null), no rate limit to speak of. */
async function ours(redisUrl: string, sandboxUrl: string, jobs: number, concurrency: number): Promise<Throughput> {
  const overrides: Partial<Config> = {
    redisUrl,
    prefix: prefix('ours'),
    baseUrl: sandboxUrl,
    appid: APPID,
    secret: SECRET,
    concurrency,
    rateLimit: 1_000_000,
    metricsPort: await freePort(),
  };
  const config = loadConfig({}, overrides);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = openDeliveryQueue(config, redis);
  // Queued 1,000 at a time, each batch built when it is added, as the raw contender does: the jobs of all
  // batches built at once (and four batches in flight) left ~125 MB live at the last full GC before the
  // drain, from which V8 set the old generation's limit so high that no full GC ran during the drain; the
  // heap grew to ~480 MB and every scavenge slowed with it (a third more GC time than the raw worker's,
  // the whole CPU gap of the timed part). A deployed worker does not build the jobs it drains.
  for (let i = 0; i < jobs; i += 1_000) {
    await addInBatches(
      queue,
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => {
        const data = deliveryData(i + k);
        return { name: JOB_NAME.campaignChunk, data, opts: deliveryJobOptions(config, { jobId: data.deliveryKey, delay: 0, priority: PRIORITY.campaign }) };
      }),
    );
  }
  const logger = createLogger({ level: 'info', destination: destination({ dest: '/dev/null', sync: false }) });
  await startDrainProfile();
  const started = Date.now();
  const cpu = process.cpuUsage();
  const handle = await startWorker({ env: {}, config: overrides, logger });
  await completions(handle.worker, jobs);
  const ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  await stopDrainProfile('ours');
  await handle.close();
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  return throughput(jobs, ms, used);
}

/**
 * What the raw contender takes on of ours, for profiling how much each costs (bench/prof-dispatch.ts):
 * `limiter`, BullMQ's Redis-side rate limiter as our worker runs it (the global rate limit); `jobOptions`,
 * our delivery job options (priority, attempts and backoff) and our worker's retention of finished jobs.
 * The published bench runs the bare worker, none of them.
 */
export interface RawVariant {
  limiter?: boolean;
  jobOptions?: boolean;
}

/** A bare BullMQ worker doing the same signed POST per job (with got, or undici), nothing else. */
async function rawBullmq(redisUrl: string, sandboxUrl: string, jobs: number, concurrency: number, variant: RawVariant = {}, transport: RawTransport = 'got'): Promise<Throughput> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const p = prefix('raw');
  const queue = new Queue<DeliveryJobData>('raw', { connection, prefix: p });
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => {
        const data = deliveryData(i + k);
        const opts = variant.jobOptions
          ? deliveryJobOptions(loadConfig({}, { redisUrl }), { jobId: data.deliveryKey, delay: 0, priority: PRIORITY.campaign })
          : { removeOnComplete: 1_000 };
        return { name: 'raw', data, opts };
      }),
    );
  }
  const sender = rawSender(sandboxUrl, concurrency, transport);
  await startDrainProfile();
  const started = Date.now();
  const cpu = process.cpuUsage();
  // BullMQ leaves a connection it was given open on close; this one is closed below.
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<DeliveryJobData>(
    'raw',
    async (job: Job<DeliveryJobData>) => {
      if (!(await sender.send(notificationOf(job.data)))) throw new Error('not accepted');
    },
    {
      connection: workerConnection,
      prefix: p,
      concurrency,
      ...(variant.limiter && { limiter: { max: 1_000_000, duration: 1_000 } }),
      ...(variant.jobOptions && FINISHED_JOB_RETENTION),
    },
  );
  worker.on('error', () => {});
  await completions(worker, jobs);
  const ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  await stopDrainProfile(variant.limiter || variant.jobOptions ? 'rawVariant' : transport === 'undici' ? 'rawUndici' : 'raw');
  await closeRawContender({ worker, sender, queue, connection, workerConnection });
  return throughput(jobs, ms, used);
}

/** No queue at all: `inFlight` lanes posting back to back. */
async function plainGot(sandboxUrl: string, requests: number, inFlight: number): Promise<Throughput> {
  const sender = rawSender(sandboxUrl, inFlight);
  const notifications = Array.from({ length: 64 }, (_, i) => notificationFor(i));
  let next = 0;
  const started = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests) {
        const i = next++;
        if (!(await sender.send(notifications[i % notifications.length]!))) throw new Error('not accepted');
      }
    }),
  );
  const ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  sender.close();
  return throughput(requests, ms, used);
}

const NONE: Throughput = { requests: 0, seconds: 0, requestsPerSecond: Number.NaN, recipientsPerSecond: Number.NaN, cpuMsPerRequest: Number.NaN };
/** `rawVariant`: the raw worker with what `raw` gives it of ours (RawVariant), beside the bare one. */
type Contender = 'ours' | 'raw' | 'rawUndici' | 'rawVariant' | 'got';

/** The fastest run, with the least CPU per request of any run (both are what noise can only make worse). */
function best(runs: Throughput[]): Throughput {
  if (runs.length === 0) return NONE;
  const fastest = [...runs].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0] as Throughput;
  return { ...fastest, cpuMsPerRequest: Math.min(...runs.map((r) => r.cpuMsPerRequest)) };
}

/**
 * `rounds` rounds, the order of the contenders rotated each round, and the best of each: on a shared
 * 2-core machine whoever runs during a neighbour's burst loses 20 % or more, and noise only ever slows.
 */
export async function benchDispatch(o: {
  redisUrl: string;
  sandboxUrl: string;
  jobs: number;
  concurrency: number;
  rounds: number;
  /** Which contenders to run (for profiling one). Default all. */
  contenders?: readonly Contender[];
  /** What the `rawVariant` contender takes on of ours (profiling only). Default none. */
  raw?: RawVariant;
}): Promise<DispatchFigures> {
  // rawVariant only when asked for: it is for profiling.
  const order: Contender[] = (['ours', 'raw', 'rawUndici', 'rawVariant', 'got'] as const).filter((c) =>
    o.contenders === undefined ? c !== 'rawVariant' : o.contenders.includes(c),
  );
  const runs: Record<Contender, Throughput[]> = { ours: [], raw: [], rawUndici: [], rawVariant: [], got: [] };
  // Warm the sandbox, the JIT and the sockets once, untimed, so the first contender is not penalised.
  await plainGot(o.sandboxUrl, 2_000, o.concurrency);
  for (let round = 0; round < o.rounds; round++) {
    for (let k = 0; k < order.length; k++) {
      const who = order[(round + k) % order.length] as Contender;
      if (who === 'ours') runs.ours.push(await ours(o.redisUrl, o.sandboxUrl, o.jobs, o.concurrency));
      else if (who === 'raw') runs.raw.push(await rawBullmq(o.redisUrl, o.sandboxUrl, o.jobs, o.concurrency));
      else if (who === 'rawUndici') runs.rawUndici.push(await rawBullmq(o.redisUrl, o.sandboxUrl, o.jobs, o.concurrency, {}, 'undici'));
      else if (who === 'rawVariant') runs.rawVariant.push(await rawBullmq(o.redisUrl, o.sandboxUrl, o.jobs, o.concurrency, o.raw));
      else runs.got.push(await plainGot(o.sandboxUrl, o.jobs, o.concurrency));
    }
  }
  return { ours: best(runs.ours), rawBullmq: best(runs.raw), rawUndici: best(runs.rawUndici), plainGot: best(runs.got), ...(runs.rawVariant.length > 0 && { rawVariant: best(runs.rawVariant) }) };
}
