/**
 * One contender of the campaign benchmark (bench/campaign.ts) in a process of its own, so its peak RSS is
 * its own footprint: `createCampaign` of N recipients, or raw BullMQ `addBulk` of the same delivery jobs.
 * Imports only what the producer does. `node --import tsx bench/campaign-create.ts create|raw <redisUrl> <n>`
 * prints its CreateFigures as one JSON line; progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Producer } from '../src/producer/producer.js';
import { loadConfig, type Config } from '../src/shared/config.js';
import type { DeliveryJobData } from '../src/shared/job-data.js';
import { DELIVERY_QUEUE, JOB_NAME, PRIORITY } from '../src/shared/queue-names.js';
import { deliveryJobOptions } from '../src/shared/queues.js';

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

export const NOTE = { title: 'Spring sale', text: 'Everything in the app is half price until Sunday.', navigateType: '1', language: 'en_US' } as const;
const MB = 1024 * 1024;

/** Same openIds for both contenders, generated lazily so the bench itself holds none of them. */
export function* openIds(n: number): Generator<string> {
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

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
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


export type Contender = 'create' | 'raw';

/** Runs one contender in a fresh Node process against `redisUrl` and resolves with its figures. */
export async function createInChild(contender: Contender, redisUrl: string, n: number, log: (l: string) => void): Promise<CreateFigures> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), contender, redisUrl, String(n)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr }).on('line', log);
  let figures: CreateFigures | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => (figures = JSON.parse(line) as CreateFigures));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0 || figures === undefined) throw new Error(`bench/campaign-create.ts ${contender} exited with ${code}`);
  return figures;
}

async function main(contender: Contender, redisUrl: string, n: number): Promise<void> {
  const redis = new Redis(redisUrl);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const figures =
      contender === 'create'
        ? await benchCreate(redisUrl, redis, n, log)
        : await benchRawAddBulk(redis, loadConfig({}, { redisUrl, prefix: `bench-raw-${randomBytes(4).toString('hex')}` }), n);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await redis.quit();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [contender, redisUrl, n] = process.argv.slice(2);
  if ((contender !== 'create' && contender !== 'raw') || redisUrl === undefined) throw new Error('usage: campaign-create.ts create|raw <redisUrl> <n>');
  await main(contender, redisUrl, Number(n ?? 1_000_000));
}
