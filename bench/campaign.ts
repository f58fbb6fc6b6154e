/**
 * Campaign benchmarks (issue 3): creating a large campaign against raw BullMQ addBulk of the same delivery
 * jobs in the same run, Redis memory per queued recipient, and one-off send latency while a campaign
 * drains at the rate limit. `npx tsx bench/campaign.ts [--recipients N] [--rounds N] [--drain-recipients N]`,
 * or call `benchCampaign()` from a runner.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { Producer } from '../src/producer/producer.js';
import { startWorker } from '../src/worker/worker.js';
import { startSandbox } from '../src/sandbox/server.js';
import { createLogger } from '../src/shared/logger.js';
import type { Config } from '../src/shared/config.js';
import { startRedisServer, type RedisServer } from '../test/helpers/redis-server.js';
import { NOTE, createInChild, deleteKeys, openIds, type CreateFigures } from './campaign-create.js';

export type { CreateFigures };

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

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The middle item by `key` (the upper middle of an even count). */
function median<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new RangeError('median of nothing');
  return middle;
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
      // Each in a fresh process of its own: its peak RSS is then the producer's footprint (or raw
      // BullMQ's), not whatever heap earlier rounds, the worker and the sandbox left in this one.
      const runCreate = () => {
        log(`round ${i + 1}: createCampaign of ${n} recipients`);
        return createInChild('create', redisUrl, n, log);
      };
      const runRaw = () => {
        log(`round ${i + 1}: raw addBulk of the same delivery jobs`);
        return createInChild('raw', redisUrl, n, log);
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
