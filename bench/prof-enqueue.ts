/**
 * Profiling driver for `send`: `npx tsx bench/prof-enqueue.ts 10000 3` times `producer.send` against a
 * bare `Queue.add` of the same jobs (50 in flight, best of the rounds) and prints the rate and the CPU per
 * job of this process for each. With PROF=<dir> it writes a CPU profile of each round there.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { Producer } from '../src/producer/producer.js';
import { loadConfig } from '../src/shared/config.js';
import { JOB_NAME, PRIORITY } from '../src/shared/queue-names.js';
import { deliveryJobOptions } from '../src/shared/queues.js';
import { deliveryData, notificationFor, prefix } from './common.js';
const jobs = Number(process.argv[2] ?? 10000);
const rounds = Number(process.argv[3] ?? 3);
const server = await startRedisServer();
const producer = await Producer.create({ env: {}, config: { redisUrl: server.url, prefix: prefix('send') } });
const notifications = Array.from({ length: jobs }, (_, i) => ({ ...notificationFor(i), openIds: notificationFor(i).openIds ?? [] }));
const connection = new Redis(server.url, { maxRetriesPerRequest: null });
const config = loadConfig({}, { redisUrl: server.url, prefix: prefix('raw') });
const queue = new Queue('raw', { connection, prefix: config.prefix });
// Ids of the shape `send` gives (`n-<uuid>`, job `n-<uuid>.0`): the same job data size and key lengths.
const rawJobs = Array.from({ length: jobs }, (_, i) => { const id = `n-${randomUUID()}`; const data = { ...deliveryData(i), notificationId: id, deliveryKey: `${id}.0` }; return { name: JOB_NAME.notification, data, opts: deliveryJobOptions(config, { jobId: data.deliveryKey, delay: 0, priority: PRIORITY.oneOff }) }; });
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
let profiling = '';
async function lanes(work: (i: number) => Promise<unknown>) {
  if (process.env.PROF) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
  let next = 0; const t = Date.now(); const c = process.cpuUsage();
  await Promise.all(Array.from({ length: 50 }, async () => { while (next < jobs) await work(next++); }));
  const u = process.cpuUsage(c);
  if (process.env.PROF) { const { profile } = await session.post('Profiler.stop'); writeFileSync(`${process.env.PROF}/${profiling}.cpuprofile`, JSON.stringify(profile)); }
  return { ms: Date.now() - t, cpuUs: (u.user + u.system) / jobs };
}
const best = { send: { ms: Infinity, cpuUs: Infinity }, add: { ms: Infinity, cpuUs: Infinity } };
const take = (k: 'send' | 'add', r: { ms: number; cpuUs: number }) => { best[k] = { ms: Math.min(best[k].ms, r.ms), cpuUs: Math.min(best[k].cpuUs, r.cpuUs) }; };
for (let r = 0; r < rounds; r++) {
  profiling = `send-${r}`; take('send', await lanes((i) => producer.send(notifications[i]!)));
  await producer.deliveries.obliterate({ force: true });
  profiling = `add-${r}`; take('add', await lanes((i) => queue.add(rawJobs[i]!.name, rawJobs[i]!.data, rawJobs[i]!.opts)));
  await queue.obliterate({ force: true });
}
console.log('send', best.send, 'add', best.add, 'rate ratio', (best.add.ms / best.send.ms).toFixed(2), 'cpu ratio', (best.add.cpuUs / best.send.cpuUs).toFixed(2));
await producer.close(); await queue.close(); connection.disconnect(); await server.destroy();
