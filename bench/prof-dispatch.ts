/**
 * Profiling driver for the dispatch section: `npx tsx bench/prof-dispatch.ts ours,raw 5000 3` prints
 * requests/s and worker CPU per request of the chosen contenders (ours, raw, rawUndici, got) and their ratios. For a
 * CPU profile, `node --cpu-prof --import tsx bench/prof-dispatch.ts ours 5000 1`; with STATS=1 it prints
 * Redis commands per job (INFO commandstats of its private redis-server); with ALLOC=<file> it writes a
 * sampling allocation profile (collected objects included) of the run. With RAW=limiter,jobOptions the contender
 * rawVariant (`ours,raw,rawVariant`) is the raw worker with our BullMQ limiter and/or our job options
 * (priority, attempts, removeOn*), to price each beside the bare one in the same run. DRAIN_PROF=<dir> and
 * DRAIN_ALLOC=<dir> profile only the timed drains (bench/drain-profile.ts).
 */
import { startRedisServer } from '../test/helpers/redis-server.js';
import { APPID, SECRET } from './common.js';
import { benchDispatch } from './dispatch.js';
import { spawnSandbox } from './sandbox-process.js';
const who = (process.argv[2] ?? 'ours,raw').split(',') as ('ours' | 'raw' | 'rawUndici' | 'rawVariant' | 'got')[];
const jobs = Number(process.argv[3] ?? 5000);
const rounds = Number(process.argv[4] ?? 2);
const rawTakes = (process.env.RAW ?? '').split(',');
const raw = { limiter: rawTakes.includes('limiter'), jobOptions: rawTakes.includes('jobOptions') };
let session: import('node:inspector/promises').Session | undefined;
if (process.env.ALLOC) {
  const { Session } = await import('node:inspector/promises');
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const server = await startRedisServer();
const sandbox = await spawnSandbox(APPID, SECRET);
try {
  const r = await benchDispatch({ redisUrl: server.url, sandboxUrl: sandbox.url, jobs, concurrency: 50, rounds, contenders: who, raw });
  for (const [k, v] of Object.entries(r)) if (v.requests) console.log(k, Math.round(v.requestsPerSecond), 'req/s', v.cpuMsPerRequest.toFixed(3), 'cpu ms/req');
  if (r.rawVariant?.requests && r.rawBullmq.requests) console.log('rawVariant/raw', (r.rawVariant.requestsPerSecond / r.rawBullmq.requestsPerSecond).toFixed(2), 'cpu ratio', (r.rawBullmq.cpuMsPerRequest / r.rawVariant.cpuMsPerRequest).toFixed(2));
  if (r.ours.requests && r.rawUndici.requests) console.log('ours/rawUndici', (r.ours.requestsPerSecond / r.rawUndici.requestsPerSecond).toFixed(2), 'cpu ratio', (r.rawUndici.cpuMsPerRequest / r.ours.cpuMsPerRequest).toFixed(2));
  if (r.ours.requests && r.rawBullmq.requests) console.log('ratio', (r.ours.requestsPerSecond / r.rawBullmq.requestsPerSecond).toFixed(2), 'cpu ratio', (r.rawBullmq.cpuMsPerRequest / r.ours.cpuMsPerRequest).toFixed(2));
  if (process.env.STATS) {
    const { Redis } = await import('ioredis');
    const r = new Redis(server.url);
    const info = await r.info('commandstats');
    for (const m of info.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g)) if (Number(m[2]) >= jobs / 10) console.log(m[1], (Number(m[2]) / jobs).toFixed(2), 'per job', (Number(m[3]) / jobs).toFixed(1), 'us/job');
    r.disconnect();
  }
  if (session) {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    (await import('node:fs')).writeFileSync(process.env.ALLOC!, JSON.stringify(profile));
  }
} finally {
  await sandbox.close();
  await server.destroy();
}
