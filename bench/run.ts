/**
 * `npm run bench [-- --quick]`: every benchmark in one run, side by side with raw BullMQ and plain got doing
 * the same work on the same machine, against the sandbox in its own process (it keeps no record). Prints a
 * markdown table with the machine, the date and the ratios, and writes the figures as JSON to .bench-out/.
 * A full run takes about 9 minutes; --quick about 2. `--only=dispatch,breakdown,enqueue,lateness,campaign,cap` picks sections (`send` is `enqueue`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { benchBreakdown, type BreakdownStep } from './breakdown.js';
import { benchCampaign, type CampaignBenchResult, type CreateFigures } from './campaign.js';
import { benchCap, type CapBenchResult } from './cap.js';
import { APPID, SECRET, redisVersion } from './common.js';
import { benchDispatch, type DispatchFigures } from './dispatch.js';
import { benchEnqueue, type EnqueueFigures } from './enqueue.js';
import { benchLateness, type LatenessRow } from './lateness.js';
import { spawnSandbox } from './sandbox-process.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
// `send` names the enqueue section too: it is what that section measures.
const wants = (section: string) => only === undefined || only.includes(section) || (section === 'enqueue' && only.includes('send'));
const SIZES = quick
  ? { dispatchJobs: 3_000, dispatchRounds: 1, breakdownJobs: 2_000, breakdownRounds: 1, enqueueJobs: 2_000, lateness: 500, instantRounds: 1, spreadMs: 3_000, campaign: 100_000, drain: 20_000, capRecipients: 30_000 }
  : { dispatchJobs: 15_000, dispatchRounds: 3, breakdownJobs: 10_000, breakdownRounds: 3, enqueueJobs: 10_000, lateness: 2_000, instantRounds: 3, spreadMs: 10_000, campaign: 1_000_000, drain: 100_000, capRecipients: 100_000 };

const results: Results = { machine: {}, sizes: SIZES };
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${Math.round(n)} ms`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);

interface Results {
  machine: Record<string, string>;
  sizes: typeof SIZES;
  dispatch?: DispatchFigures;
  enqueue?: EnqueueFigures;
  lateness?: LatenessRow[];
  campaign?: CampaignBenchResult;
  breakdown?: BreakdownStep[];
  cap?: CapBenchResult;
}

async function machine(redisUrl: string): Promise<Record<string, string>> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: `${cpus.length} x ${cpus[0]?.model.trim() ?? '?'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GB`,
    node: process.version,
    redis: `${await redisVersion(redisUrl)} (private redis-server per section; hz 10 unless stated)`,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

function table(r: Results): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(`Run ${m.date} on ${m.os}, ${m.cpus}, ${m.memory} RAM, Node ${m.node}, Redis ${m.redis}; load average at start ${m.load}${quick ? '; --quick sizes' : ''}.`, '');
  lines.push('| benchmark | ours | raw BullMQ / baseline | ratio (ours / raw) |', '|---|---|---|---|');
  const d = r.dispatch;
  if (d) {
    lines.push(
      `| dispatch, ${int(d.ours.requests)} requests of 100 openIds, concurrency 50, best of ${SIZES.dispatchRounds}: requests/s | ${int(d.ours.requestsPerSecond)} | ${int(d.rawBullmq.requestsPerSecond)} | ${ratio(d.ours.requestsPerSecond, d.rawBullmq.requestsPerSecond)} |`,
      `| dispatch: recipients/s | ${int(d.ours.recipientsPerSecond)} | ${int(d.rawBullmq.recipientsPerSecond)} | ${ratio(d.ours.recipientsPerSecond, d.rawBullmq.recipientsPerSecond)} |`,
      `| dispatch vs the same bare BullMQ worker POSTing with undici (the HTTP client ours uses): requests/s | ${int(d.ours.requestsPerSecond)} | ${int(d.rawUndici.requestsPerSecond)} (raw BullMQ + undici) | ${ratio(d.ours.requestsPerSecond, d.rawUndici.requestsPerSecond)} |`,
      `| dispatch vs raw BullMQ + undici: worker CPU per request, least of ${SIZES.dispatchRounds} | ${d.ours.cpuMsPerRequest.toFixed(3)} ms | ${d.rawUndici.cpuMsPerRequest.toFixed(3)} ms | ${ratio(d.rawUndici.cpuMsPerRequest, d.ours.cpuMsPerRequest)} |`,
      `| dispatch vs a plain got loop, no queue, 50 in flight: requests/s | ${int(d.ours.requestsPerSecond)} | ${int(d.plainGot.requestsPerSecond)} (got loop) | ${ratio(d.ours.requestsPerSecond, d.plainGot.requestsPerSecond)} |`,
      `| dispatch: worker CPU per request, least of ${SIZES.dispatchRounds} | ${d.ours.cpuMsPerRequest.toFixed(3)} ms | ${d.rawBullmq.cpuMsPerRequest.toFixed(3)} ms | ${ratio(d.rawBullmq.cpuMsPerRequest, d.ours.cpuMsPerRequest)} |`,
    );
  }
  const e = r.enqueue;
  if (e) {
    lines.push(
      `| enqueue: \`send\` of one 100-openId notification per call, 50 calls in flight: jobs/s | ${int(e.send.jobsPerSecond)} | ${int(e.rawAdd.jobsPerSecond)} (\`Queue.add\`, 50 in flight) | ${ratio(e.send.jobsPerSecond, e.rawAdd.jobsPerSecond)} |`,
      `| enqueue: \`send\` against raw \`addBulk\` of the same jobs (batches of 1,000, 4 in flight): jobs/s | ${int(e.send.jobsPerSecond)} | ${int(e.rawAddBulk.jobsPerSecond)} | ${ratio(e.send.jobsPerSecond, e.rawAddBulk.jobsPerSecond)} |`,
    );
  }
  const c = r.campaign;
  if (c) {
    const cc = c.createCampaign;
    const rb = c.rawAddBulk;
    // The rate as dispatch and enqueue give theirs: each contender's best round (noise only slows a round
    // down); memory and bytes from the median round.
    const fastest = (figures: CreateFigures[]) => figures.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const bc = fastest(c.rounds.map((x) => x.createCampaign));
    const br = fastest(c.rounds.map((x) => x.rawAddBulk));
    lines.push(
      `| \`createCampaign\`, ${int(cc.recipients)} recipients (${int(cc.jobs)} jobs), best of ${c.rounds.length}: recipients/s | ${int(bc.recipientsPerSecond)} (${bc.seconds.toFixed(1)} s) | ${int(br.recipientsPerSecond)} (${br.seconds.toFixed(1)} s, raw \`addBulk\`) | ${ratio(bc.recipientsPerSecond, br.recipientsPerSecond)} |`,
      `| Redis bytes per queued recipient | ${cc.redisBytesPerRecipient.toFixed(1)} | ${rb.redisBytesPerRecipient.toFixed(1)} | ${ratio(rb.redisBytesPerRecipient, cc.redisBytesPerRecipient)} |`,
      `| producer peak RSS creating it (growth over the RSS before) | ${int(cc.peakRssMb)} MB (+${int(cc.rssGrowthMb)}) | ${int(rb.peakRssMb)} MB (+${int(rb.rssGrowthMb)}) | ${ratio(rb.peakRssMb, cc.peakRssMb)} |`,
      `| one-off \`send\` while a ${int(c.oneOffWhileDraining.campaignRecipients)}-recipient campaign drains at ${c.oneOffWhileDraining.rateLimit}/s: until accepted, p50 / max | ${ms(c.oneOffWhileDraining.p50Ms)} / ${ms(c.oneOffWhileDraining.maxMs)} | | |`,
    );
  }
  const f = r.cap;
  if (f) {
    lines.push(
      `| frequency cap: a ${int(f.capped.recipients)}-recipient campaign under 2/24h (every recipient let through and recorded) against the same uncapped, best of ${f.rounds}: recipients/s | ${int(f.capped.recipientsPerSecond)} | ${int(f.uncapped.recipientsPerSecond)} (uncapped) | ${ratio(f.capped.recipientsPerSecond, f.uncapped.recipientsPerSecond)} |`,
      `| frequency cap: the same audience again under 1/24h (every chunk capped whole, no call): recipients/s | ${int(f.cappedWhole.recipientsPerSecond)} | ${int(f.uncapped.recipientsPerSecond)} (uncapped, sending) | ${ratio(f.cappedWhole.recipientsPerSecond, f.uncapped.recipientsPerSecond)} |`,
      `| frequency cap: worker CPU per delivery job of 100, capped (recorded) / capped whole / uncapped, least of ${f.rounds} | ${f.capped.workerCpuMsPerJob.toFixed(2)} / ${f.cappedWhole.workerCpuMsPerJob.toFixed(2)} ms | ${f.uncapped.workerCpuMsPerJob.toFixed(2)} ms (uncapped) | ${ratio(f.uncapped.workerCpuMsPerJob, f.capped.workerCpuMsPerJob)} |`,
      `| frequency cap: Redis CPU per delivery job of 100, capped (recorded) / capped whole / uncapped, least of ${f.rounds} | ${f.capped.redisCpuMsPerJob.toFixed(2)} / ${f.cappedWhole.redisCpuMsPerJob.toFixed(2)} ms | ${f.uncapped.redisCpuMsPerJob.toFixed(2)} ms (uncapped) | ${ratio(f.uncapped.redisCpuMsPerJob, f.capped.redisCpuMsPerJob)} |`,
      `| frequency cap: Redis bytes per capped recipient, ${int(f.memoryRecipients)} recipients (MEMORY USAGE of the fcap keys; used_memory freed by deleting them) | ${f.bytesPerRecipient.toFixed(1)}; ${f.usedMemoryBytesPerRecipient.toFixed(1)} | | |`,
    );
  }
  for (const row of r.lateness ?? []) {
    const what =
      row.shape === 'instant'
        ? `${int(SIZES.lateness)} due at one instant (drain time; median of ${SIZES.instantRounds})`
        : `${int(SIZES.lateness)} due over ${SIZES.spreadMs / 1_000} s`;
    lines.push(
      `| lateness, ${what}, hz ${row.hz}: p50 / p95 / p99 | ${ms(row.ours.p50)} / ${ms(row.ours.p95)} / ${ms(row.ours.p99)} | ${ms(row.rawBullmq.p50)} / ${ms(row.rawBullmq.p95)} / ${ms(row.rawBullmq.p99)} | p99 ${ratio(row.rawBullmq.p99, row.ours.p99)} |`,
    );
  }
  lines.push('', 'Ratios are "higher is better for us": throughput ours / raw; CPU, bytes, RSS and lateness raw / ours.');
  if (r.breakdown && d) {
    const base = r.breakdown[0]?.requestsPerSecond ?? Number.NaN;
    lines.push('', `Where the dispatch difference goes (${int(SIZES.breakdownJobs)} requests per step, best of ${SIZES.breakdownRounds}):`, '');
    lines.push('| raw BullMQ worker, adding our steps one at a time | requests/s | of raw |', '|---|---|---|');
    for (const step of r.breakdown) lines.push(`| ${step.step} | ${int(step.requestsPerSecond)} | ${ratio(step.requestsPerSecond, base)} |`);
    const sameWork = r.breakdown.at(-1)?.requestsPerSecond ?? Number.NaN;
    lines.push(
      `| our worker (also: hooks, metrics, clock and outage bookkeeping, retention by age), from the dispatch rows | ${int(d.ours.requestsPerSecond)} | ${ratio(d.ours.requestsPerSecond, d.rawBullmq.requestsPerSecond)} |`,
      '',
      `Ours against raw BullMQ doing the same work (the last step): ${ratio(d.ours.requestsPerSecond, sameWork)}.`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  // First, while the heap is fresh: its peak RSS is a figure, and later sections would inflate it.
  if (wants('campaign')) {
    progress(`campaign: createCampaign of ${SIZES.campaign} recipients (bench/campaign.ts)`);
    results.campaign = await benchCampaign({ recipients: SIZES.campaign, drainRecipients: SIZES.drain, log: progress });
  }
  const server = await startRedisServer();
  const sandbox = await spawnSandbox(APPID, SECRET);
  results.machine = { ...(await machine(server.url)), load: loadAtStart };
  try {
    if (wants('dispatch')) {
      progress(`dispatch: ${SIZES.dispatchJobs} jobs each for our worker, raw BullMQ with got and with undici, and a got loop, ${SIZES.dispatchRounds} round(s)`);
      results.dispatch = await benchDispatch({
        redisUrl: server.url,
        sandboxUrl: sandbox.url,
        jobs: SIZES.dispatchJobs,
        concurrency: 50,
        rounds: SIZES.dispatchRounds,
      });
    }
    if (wants('breakdown')) {
      progress(`breakdown: a raw worker adding our processor's steps one at a time, ${SIZES.breakdownJobs} jobs each`);
      results.breakdown = await benchBreakdown({ redisUrl: server.url, sandboxUrl: sandbox.url, jobs: SIZES.breakdownJobs, rounds: SIZES.breakdownRounds });
    }
    if (wants('enqueue')) {
      progress(`enqueue: ${SIZES.enqueueJobs} jobs by send, Queue.add and addBulk`);
      results.enqueue = await benchEnqueue({ redisUrl: server.url, jobs: SIZES.enqueueJobs, inFlight: 50 });
    }
    if (wants('cap')) {
      progress(`cap: bytes per capped recipient (20,000), then capped vs uncapped campaigns of ${SIZES.capRecipients} recipients`);
      results.cap = await benchCap({ redisUrl: server.url, sandboxUrl: sandbox.url, recipients: SIZES.capRecipients, rounds: quick ? 2 : 3, log: progress });
    }
    if (wants('lateness')) {
      progress(`lateness: ${SIZES.lateness} notifications, at one instant and over ${SIZES.spreadMs} ms, Redis hz 10 and 100`);
      results.lateness = await benchLateness({
        sandboxUrl: sandbox.url,
        count: SIZES.lateness,
        spreadMs: SIZES.spreadMs,
        hzs: [10, 100],
        instantRounds: SIZES.instantRounds,
      });
    }
  } finally {
    await sandbox.close();
    await server.destroy();
  }
  results.machine.loadAtEnd = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  await mkdir('.bench-out', { recursive: true });
  const file = `.bench-out/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(table(results));
  console.log(`\nLoad average at the end ${results.machine.loadAtEnd}. Figures: ${file}`);
}

await main();
