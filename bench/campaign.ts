/**
 * Campaign benchmarks (issue 3): creating a large campaign against raw BullMQ addBulk of the same delivery
 * jobs in the same run, Redis memory per queued recipient, and one-off send latency while a campaign
 * drains at the rate limit. `npx tsx bench/campaign.ts [--recipients N] [--rounds N] [--drain-recipients N]`,
 * or call `benchCampaign()` from a runner.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Producer } from '../src/producer/producer.js';
import { startWorker } from '../src/worker/worker.js';
import { startSandbox } from '../src/sandbox/server.js';
import { createLogger } from '../src/shared/logger.js';
import { loadConfig, type Config } from '../src/shared/config.js';
import type { DeliveryJobData } from '../src/shared/job-data.js';
import { DELIVERY_QUEUE, JOB_NAME, PRIORITY } from '../src/shared/queue-names.js';
import { deliveryJobOptions } from '../src/shared/queues.js';
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server.js';

export interface CampaignBenchOptions {
  /** Redis to use; default: a private redis-server started for the run (so memory figures are ours alone). */
  redisUrl?: string;
  /** Recipients of the created campaign. Default 1,000,000. */
  recipients?: number;
  /**
   * Rounds of one createCampaign and one raw addBulk, which goes first alternating (the second runs with
   * the code paths both share already compiled); the figures are the median round's, so one slow moment
   * on a shared machine does not decide them. Default 3.
   */
  rounds?: number;
  /** Recipients of the campaign that drains while one-off sends are timed. Default 100,000. */
  drainRecipients?: number;
  /** NEUPUSH_RATE_LIMIT while draining. Default 50 (the configured default). */
  rateLimit?: number;
  /** One-off sends timed while the campaign drains, each 0.25 to 0.75 s after the previous one arrived. Default 10. */
  samples?: number;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export interface CreateFigures {
  recipients: number;
  jobs: number;
  seconds: number;
  recipientsPerSecond: number;
  /** Highest RSS of this process while creating, and how far above the RSS before. */
  peakRssMb: number;
  rssGrowthMb: number;
  /** Redis used_memory after, minus before, per recipient queued. */
  redisBytesPerRecipient: number;
  /** CPU seconds (user + system) of this process and of Redis (`INFO cpu`) while creating. */
  producerCpuSeconds: number;
  redisCpuSeconds: number;
}

export interface CampaignBenchResult {
  node: string;
  redisVersion: string;
  /** The median of the createCampaign runs (by time). */
  createCampaign: CreateFigures;
  /** The median of the raw addBulk runs (by time). */
  rawAddBulk: CreateFigures;
  /** Median over the rounds of createCampaign seconds / raw addBulk seconds of the same round. */
  timeRatio: number;
  /**
   * The best round's throughput against raw addBulk (raw seconds / createCampaign seconds): noise on a
   * shared machine only ever slows a round down, so the best one is the least disturbed.
   */
  bestThroughputRatio: number;
  /**
   * Each round's figures, in the order they ran. Peak RSS is cleanest in the first: later rounds start
   * with whatever heap the earlier ones left.
   */
  rounds: { createCampaign: CreateFigures; rawAddBulk: CreateFigures; timeRatio: number }[];
  oneOffWhileDraining: {
    campaignRecipients: number;
    rateLimit: number;
    latenciesMs: number[];
    p50Ms: number;
    maxMs: number;
    /** Campaign recipients still pending when the last one-off went out. */
    campaignPendingAtEnd: number;
  };
}

const NOTE = { title: 'Spring sale', text: 'Everything in the app is half price until Sunday.', navigateType: '1', language: 'en_US' } as const;
const MB = 1024 * 1024;

/** Same openIds for both contenders, generated lazily so the bench itself holds none of them. */
function* openIds(n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield `user-${String(i).padStart(8, '0')}`;
}

/** used_memory once Redis has finished freeing what was UNLINKed (the campaign's seen-set), in the background. */
async function usedMemory(redis: Redis): Promise<number> {
  for (;;) {
    const info = await redis.info('memory');
    if (Number(/lazyfree_pending_objects:(\d+)/.exec(info)?.[1] ?? 0) === 0) return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Redis's own CPU seconds so far (user + system), from INFO cpu. */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** Run `fn` while sampling this process's RSS every 10 ms. */
async function measure(redis: Redis, recipients: number, jobs: () => number, fn: () => Promise<void>): Promise<CreateFigures> {
  global.gc?.();
  const memBefore = await usedMemory(redis);
  const redisCpuBefore = await redisCpu(redis);
  const cpuBefore = process.cpuUsage();
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpuSeconds = (await redisCpu(redis)) - redisCpuBefore;
  peak = Math.max(peak, process.memoryUsage.rss());
  const memAfter = await usedMemory(redis);
  return {
    recipients,
    jobs: jobs(),
    seconds: round(seconds, 2),
    recipientsPerSecond: Math.round(recipients / seconds),
    peakRssMb: round(peak / MB, 1),
    rssGrowthMb: round((peak - rssBefore) / MB, 1),
    redisBytesPerRecipient: round((memAfter - memBefore) / recipients, 1),
    producerCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    redisCpuSeconds: round(redisCpuSeconds, 2),
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The middle item by `key` (the upper middle of an even count). */
function median<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new RangeError('median of nothing');
  return middle;
}

async function benchCreate(redisUrl: string, redis: Redis, n: number, log: (l: string) => void): Promise<CreateFigures> {
  const prefix = `bench-campaign-${randomBytes(4).toString('hex')}`;
  const producer = await Producer.create({ config: { redisUrl, prefix }, env: {} });
  let jobs = 0;
  try {
    const figures = await measure(redis, n, () => jobs, async () => {
      const result = await producer.createCampaign({
        id: 'bench',
        notification: NOTE,
        recipients: openIds(n),
        // An hour out, so the jobs wait in Redis to be measured.
        sendAt: new Date(Date.now() + 3_600_000),
        onProgress: (p) => {
          if (p.read % 200_000 === 0) log(`  createCampaign: ${p.read} read, ${p.jobs} jobs`);
        },
      });
      jobs = result.jobs;
    });
    return figures;
  } finally {
    await producer.close();
    await deleteKeys(redis, prefix);
  }
}

/** The baseline: the same delivery jobs (data and options), 4 addBulk batches of 1,000 in flight. */
async function benchRawAddBulk(redis: Redis, config: Readonly<Config>, n: number): Promise<CreateFigures> {
  const queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection: redis, prefix: config.prefix });
  let jobs = 0;
  try {
    return await measure(redis, n, () => jobs, async () => {
      const sendAt = Date.now() + 3_600_000;
      const ids = openIds(n);
      let done = false;
      const nextBatch = () => {
        const batch: { name: string; data: DeliveryJobData; opts: ReturnType<typeof deliveryJobOptions> }[] = [];
        while (batch.length < 1_000 && !done) {
          const chunk: string[] = [];
          for (let r = ids.next(); !r.done; r = ids.next()) {
            chunk.push(r.value);
            if (chunk.length === config.chunkSize) break;
          }
          if (chunk.length < config.chunkSize) done = true;
          if (chunk.length === 0) break;
          const jobId = `raw.${jobs++}`;
          batch.push({
            name: JOB_NAME.campaignChunk,
            data: { v: 1, notificationId: 'raw', deliveryKey: jobId, notification: { ...NOTE, openIds: chunk }, sendAt, deadline: sendAt + 3_600_000, campaignId: 'raw' },
            opts: deliveryJobOptions(config, { jobId, delay: sendAt - Date.now(), priority: PRIORITY.campaign }),
          });
        }
        return batch;
      };
      const lane = async () => {
        for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) await queue.addBulk(batch);
      };
      await Promise.all([lane(), lane(), lane(), lane()]);
    });
  } finally {
    await queue.close();
    await deleteKeys(redis, config.prefix);
  }
}

async function benchLatency(
  redisUrl: string,
  recipients: number,
  rateLimit: number,
  samples: number,
  log: (l: string) => void,
): Promise<CampaignBenchResult['oneOffWhileDraining']> {
  const prefix = `bench-drain-${randomBytes(4).toString('hex')}`;
  const appid = 'bench-app';
  const secret = randomBytes(16).toString('hex');
  const sandbox = await startSandbox({ appid, secret, recordAccepted: true });
  const config: Partial<Config> = { redisUrl, prefix, baseUrl: sandbox.url, appid, rateLimit, metricsPort: 0 };
  const { secret: _s, ...producerConfig } = config;
  const producer = await Producer.create({ config: producerConfig, env: {} });
  const worker = await startWorker({ config: { ...config, secret }, env: {}, logger: createLogger({ level: 'warn' }) });
  const latencies: number[] = [];
  let pending = 0;
  try {
    const { jobs } = await producer.createCampaign({ id: 'drain', notification: NOTE, recipients: openIds(recipients) });
    // Into the drain, past the limiter's first window.
    await sandbox.waitFor((s) => s.accepted.length >= Math.min(rateLimit * 2, Math.floor(jobs / 2)), 60_000);
    for (let i = 0; i < samples; i++) {
      const marker = `vip-${i}`;
      const queuedAt = Date.now();
      await producer.send({ ...NOTE, title: 'Your login code', text: String(100_000 + i), openIds: [marker] });
      await sandbox.waitFor((s) => s.accepted.some((a) => a.openIds[0] === marker), 30_000);
      latencies.push(Date.now() - queuedAt);
      log(`  one-off ${i + 1}/${samples}: ${latencies.at(-1)} ms`);
      // A random pause, so the sends land anywhere in the limiter's one-second windows.
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 500));
    }
    pending = (await producer.getCampaign('drain'))?.pending ?? 0;
    await producer.cancelCampaign('drain');
  } finally {
    await worker.close();
    await producer.close();
    await sandbox.close();
    const redis = new Redis(redisUrl);
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    campaignRecipients: recipients,
    rateLimit,
    latenciesMs: latencies,
    p50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
    maxMs: sorted.at(-1) ?? 0,
    campaignPendingAtEnd: pending,
  };
}

export async function benchCampaign(options: CampaignBenchOptions = {}): Promise<CampaignBenchResult> {
  const log = options.log ?? (() => {});
  const n = options.recipients ?? 1_000_000;
  let server: RedisServer | undefined;
  const redisUrl = options.redisUrl ?? (server = await startRedisServer({ args: ['--hz', '100'] })).url;
  const redis = new Redis(redisUrl);
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    const rounds: CampaignBenchResult['rounds'] = [];
    for (let i = 0; i < (options.rounds ?? 3); i++) {
      const runCreate = () => {
        log(`round ${i + 1}: createCampaign of ${n} recipients`);
        return benchCreate(redisUrl, redis, n, log);
      };
      const runRaw = () => {
        log(`round ${i + 1}: raw addBulk of the same delivery jobs`);
        return benchRawAddBulk(redis, loadConfig({}, { redisUrl, prefix: `bench-raw-${randomBytes(4).toString('hex')}` }), n);
      };
      const create = i % 2 === 0 ? await runCreate() : undefined;
      const raw = await runRaw();
      const created = create ?? (await runCreate());
      rounds.push({ createCampaign: created, rawAddBulk: raw, timeRatio: round(created.seconds / raw.seconds, 2) });
    }
    log(`one-off latency while ${options.drainRecipients ?? 100_000} recipients drain`);
    const oneOffWhileDraining = await benchLatency(redisUrl, options.drainRecipients ?? 100_000, options.rateLimit ?? 50, options.samples ?? 10, log);
    return {
      node: process.version,
      redisVersion,
      createCampaign: median(rounds.map((r) => r.createCampaign), (f) => f.seconds),
      rawAddBulk: median(rounds.map((r) => r.rawAddBulk), (f) => f.seconds),
      timeRatio: median(rounds, (r) => r.timeRatio).timeRatio,
      bestThroughputRatio: round(Math.max(...rounds.map((r) => r.rawAddBulk.seconds / r.createCampaign.seconds)), 2),
      rounds,
      oneOffWhileDraining,
    };
  } finally {
    await redis.quit();
    await server?.destroy();
  }
}

function argNumber(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const recipients = argNumber('recipients');
  const drainRecipients = argNumber('drain-recipients');
  const rounds = argNumber('rounds');
  const result = await benchCampaign({
    ...(recipients !== undefined && { recipients }),
    ...(rounds !== undefined && { rounds }),
    ...(drainRecipients !== undefined && { drainRecipients }),
    ...(process.env.REDIS_URL && { redisUrl: process.env.REDIS_URL }),
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify(result, null, 2));
}
