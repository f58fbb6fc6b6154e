import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { destination } from 'pino';
import { createLogger } from '../src/shared/logger.js';
import { notificationOf, type DeliveryJobData } from '../src/shared/job-data.js';
import { checkJobData } from '../src/worker/job-data-check.js';
import { lazyJobLogger } from '../src/worker/job-logger.js';
import { claimDelivery, recordSent } from '../src/worker/sent-records.js';
import { completions, deliveryData, prefix, rawSender, closeRawContender } from './common.js';

/** What one step of our processor's work costs: a raw BullMQ worker that does it and the steps before it. */
export interface BreakdownStep {
  step: string;
  requestsPerSecond: number;
}

interface Steps {
  /** POST with undici, as our client does, instead of got. */
  undici?: boolean;
  claim?: boolean;
  validate?: boolean;
  limiterAndPriority?: boolean;
  log?: boolean;
}

const STEPS: [string, Steps][] = [
  ['raw BullMQ worker: sign and POST with got', {}],
  ['POST with undici instead (the HTTP client ours uses)', { undici: true }],
  ['+ duplicate-suppression claim and record (2 Redis calls)', { undici: true, claim: true }],
  ['+ checking the job data where it is picked up', { undici: true, claim: true, validate: true }],
  ['+ Redis-side rate limiter and priorities', { undici: true, claim: true, validate: true, limiterAndPriority: true }],
  ['+ a JSON log line per delivery', { undici: true, claim: true, validate: true, limiterAndPriority: true, log: true }],
];

async function run(redisUrl: string, sandboxUrl: string, jobs: number, o: Steps): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const p = prefix('steps');
  const queue = new Queue<DeliveryJobData>('raw', { connection, prefix: p });
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({
        name: 'raw',
        data: deliveryData(i + k),
        opts: { removeOnComplete: 1_000, ...(o.limiterAndPriority && { priority: 100 }) },
      })),
    );
  }
  const sender = rawSender(sandboxUrl, 50, o.undici ? 'undici' : 'got');
  const logger = createLogger({ level: 'info', destination: destination({ dest: '/dev/null', sync: false }) });
  const started = Date.now();
  const worker = new Worker<DeliveryJobData>(
    'raw',
    async (job: Job<DeliveryJobData>) => {
      const log = o.log ? lazyJobLogger(logger, job) : undefined;
      const checked = o.validate ? checkJobData(job.data) : { ok: true as const, data: job.data };
      if (!checked.ok) throw new Error(checked.why);
      const data = checked.data;
      if (o.claim) await claimDelivery(connection, p, data.deliveryKey, 25_000);
      if (!(await sender.send(notificationOf(data)))) throw new Error('not accepted');
      if (o.claim) await recordSent(connection, p, data.deliveryKey, 86_400_000);
      log?.info({ recipients: notificationOf(data).openIds?.length }, 'delivered');
    },
    { connection: workerConnection, prefix: p, concurrency: 50, ...(o.limiterAndPriority && { limiter: { max: 1_000_000, duration: 1_000 } }) },
  );
  worker.on('error', () => {});
  await completions(worker, jobs);
  const rate = jobs / ((Date.now() - started) / 1_000);
  await closeRawContender({ worker, sender, queue, connection, workerConnection });
  return rate;
}

/**
 * Where our worker's time goes compared with raw BullMQ: the raw worker again, adding our processor's
 * steps one at a time, `rounds` times in order, best of each (the noise is the neighbours, not the step).
 */
export async function benchBreakdown(o: { redisUrl: string; sandboxUrl: string; jobs: number; rounds: number }): Promise<BreakdownStep[]> {
  const best = new Map<string, number>();
  for (let round = 0; round < o.rounds; round++) {
    for (const [step, steps] of STEPS) best.set(step, Math.max(best.get(step) ?? 0, await run(o.redisUrl, o.sandboxUrl, o.jobs, steps)));
  }
  return STEPS.map(([step]) => ({ step, requestsPerSecond: best.get(step) ?? Number.NaN }));
}
