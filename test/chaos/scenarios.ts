import { expect } from 'vitest';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Producer } from '../../src/producer/producer.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { LOCK_DURATION_MS } from '../../src/shared/config.js';
import { testPrefix, waitUntil } from '../helpers/isolation.js';
import { freePort, startRedisCluster, startRedisServer } from '../helpers/redis-server.js';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/spawn-worker.js';
import { ChaosWorld, NOTIFICATION, figures, openIds, tallyRecipients } from './helpers/world.js';
import { startSlowAnswersProxy } from './helpers/slow-answers-proxy.js';
import { startSentinel } from './helpers/sentinel.js';

/**
 * The chaos scenarios, parameterised by size so that `npm run test:chaos` runs them at full size and
 * test/integration/chaos-short.test.ts runs them small enough for every CI run. Each one asserts what
 * the README's guarantees section claims and prints its figures on one `[chaos:NAME]` line.
 */

const CHUNK = 100;

function elapsed(since: number): number {
  return (Date.now() - since) / 1_000;
}

/** Resolves after `ms`, or earlier once `done()` holds: a pacing wait that never outlives its purpose. */
async function pace(ms: number, done: () => boolean): Promise<void> {
  await waitUntil(done, { timeoutMs: ms, intervalMs: 50 }).catch(() => {});
}

/** Accepted requests that repeated a chunk already accepted (chunks have fixed openIds, so the first one names it). */
function repeatedRequests(world: ChaosWorld, earlier: ReadonlyMap<string, number> = new Map()): number {
  const seen = new Map(earlier);
  let repeats = 0;
  for (const r of world.sandbox.accepted) {
    const key = r.openIds[0] ?? '';
    const n = seen.get(key) ?? 0;
    if (n > 0) repeats++;
    seen.set(key, n + 1);
  }
  return repeats;
}

async function expectCampaignComplete(world: ChaosWorld, id: string, recipients: number, timeoutMs = 30_000): Promise<void> {
  await waitUntil(async () => (await world.producer.getCampaign(id))?.state === 'completed', {
    timeoutMs,
    intervalMs: 200,
    message: `campaign ${id} completed`,
  });
  expect(await world.producer.getCampaign(id)).toMatchObject({ recipients, sent: recipients, failed: 0, pending: 0 });
}

export interface KillNineOptions {
  recipients: number;
  killEveryMs: number;
  concurrency: number;
  rateLimit: number;
  /** Stop killing after this many kills (the campaign must still have work left to kill into). */
  maxKills: number;
  /** How long each answer takes to come back after the platform accepted the request. */
  answerDelayMs: number;
}

/**
 * kill -9 the worker process every `killEveryMs` during a campaign and start a new one each time. Jobs
 * the killed process held come back through BullMQ's stalled-job recovery once their 30 s lock lapses.
 * Lost: 0. Sent twice: only what was accepted but not yet recorded at the instant of a kill, so at most
 * `concurrency` requests per kill.
 */
export async function killNineDuringCampaign(o: KillNineOptions): Promise<void> {
  const world = await ChaosWorld.start();
  const proxy = await startSlowAnswersProxy({ host: '127.0.0.1', port: world.sandbox.port }, o.answerDelayMs);
  try {
    const ids = openIds(o.recipients);
    const created = await world.producer.createCampaign({ id: 'kill-nine', notification: NOTIFICATION, recipients: ids });
    expect(created).toMatchObject({ recipients: o.recipients, jobs: Math.ceil(o.recipients / CHUNK) });
    const env = { NEUPUSH_CONCURRENCY: String(o.concurrency), NEUPUSH_RATE_LIMIT: String(o.rateLimit), NEUXNET_BASE_URL: proxy.url };
    const started = Date.now();
    let worker: WorkerProcess = await world.spawnWorker(env);
    let kills = 0;
    let acceptedUnansweredAtKills = 0;
    const done = () => world.sandbox.accepted.length * CHUNK >= o.recipients;
    while (kills < o.maxKills && !done()) {
      const lifeStart = Date.now();
      await pace(o.killEveryMs, done);
      // The hostile moment: while accepted requests wait for their answers (the limiter sends in bursts).
      await pace(1_000, () => done() || proxy.inFlight() > 0);
      if (done()) break;
      acceptedUnansweredAtKills += proxy.inFlight();
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills++;
      // Measured from the previous start, so a slow start-up does not stretch the rhythm.
      await pace(Math.max(0, o.killEveryMs - (Date.now() - lifeStart)), () => false);
      worker = await world.spawnWorker(env);
    }
    const killingEnded = elapsed(started);
    // Jobs held by killed processes wait out their lock (30 s) and BullMQ's stalled check (every 30 s); a
    // job whose request was accepted before the kill is not finished until it has run again, so wait for
    // the whole campaign, not only for every recipient to have been reached once.
    await world.waitForRecipients(o.recipients, 4 * LOCK_DURATION_MS + 30_000);
    await expectCampaignComplete(world, 'kill-nine', o.recipients, 4 * LOCK_DURATION_MS + 30_000);
    const t = tallyRecipients(world.recipientCounts(), ids);
    const repeats = repeatedRequests(world);
    figures('kill-9', {
      recipients: o.recipients,
      kills,
      lost: t.lost,
      recipientsSentTwice: t.doubled,
      requestsRepeated: repeats,
      acceptedUnansweredAtKills,
      boundRequests: kills * o.concurrency,
      requests: world.requests(),
      killingSeconds: killingEnded,
      totalSeconds: elapsed(started),
    });
    expect(kills).toBeGreaterThan(0);
    expect(t.lost).toBe(0);
    expect(t.unexpected).toBe(0);
    expect(repeats).toBeLessThanOrEqual(kills * o.concurrency);
    expect(t.extraSends).toBeLessThanOrEqual(kills * o.concurrency * CHUNK);
    expect(await world.producer.listDeadLetters()).toEqual([]);
  } finally {
    await proxy.close();
    await world.close();
  }
}

/** SIGTERM a worker mid-campaign: it finishes what it holds and exits 0; a new one delivers the rest. */
export async function sigtermDuringCampaign(o: { recipients: number; rateLimit: number }): Promise<void> {
  // Slow answers, so that the signal lands while calls are in flight.
  const world = await ChaosWorld.start({ sandbox: { latencyMs: 300 } });
  try {
    const ids = openIds(o.recipients);
    await world.producer.createCampaign({ id: 'sigterm', notification: NOTIFICATION, recipients: ids });
    const env = { NEUPUSH_RATE_LIMIT: String(o.rateLimit) };
    const first = await world.spawnWorker(env);
    await world.sandbox.waitFor((s) => s.accepted.length * CHUNK >= o.recipients * 0.3, 60_000);
    // The limiter sends in bursts; signal inside one, while calls are in flight.
    await world.sandbox.waitFor((s) => s.stats().inFlight >= 5, 10_000);
    const inFlightAtSignal = world.sandbox.stats().inFlight;
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const stopSeconds = elapsed(signalled);
    const byFirst = world.sandbox.accepted.length;
    expect(await world.producer.deliveries.getActiveCount()).toBe(0);
    await world.spawnWorker(env);
    await world.waitForRecipients(o.recipients, 120_000);
    const t = tallyRecipients(world.recipientCounts(), ids);
    figures('sigterm', {
      recipients: o.recipients,
      deliveredBeforeSignal: byFirst * CHUNK,
      inFlightAtSignal,
      stopSeconds,
      lost: t.lost,
      sentTwice: t.doubled,
    });
    expect(inFlightAtSignal).toBeGreaterThan(0);
    expect(byFirst * CHUNK).toBeLessThan(o.recipients);
    expect(t).toEqual({ lost: 0, doubled: 0, extraSends: 0, unexpected: 0 });
    expect(world.requests()).toBe(Math.ceil(o.recipients / CHUNK));
    await expectCampaignComplete(world, 'sigterm', o.recipients);
  } finally {
    await world.close();
  }
}

/**
 * Redis with AOF (appendfsync everysec) killed with -9 while notifications wait for their time, and
 * restarted after `downMs`. Everything queued more than a second before the crash survives it; every
 * notification goes out at or after its time; the worker process and the producer reconnect on their own.
 */
export async function redisCrashWithAof(o: { notifications: number; spreadMs: number; downMs: number }): Promise<void> {
  const world = await ChaosWorld.start({ redisArgs: ['--appendonly', 'yes', '--appendfsync', 'everysec'] });
  try {
    const worker = await world.spawnWorker();
    const base = Date.now() + 2_000;
    const due = new Map<string, number>();
    for (let i = 0; i < o.notifications; i++) {
      const sendAt = base + Math.round((i * o.spreadMs) / o.notifications);
      due.set(`u-${i}`, sendAt);
      await world.producer.send({ ...NOTIFICATION, openIds: [`u-${i}`] }, { sendAt: new Date(sendAt) });
    }
    // everysec: the AOF is fsynced once a second, so a crash loses at most the last second of writes.
    const queuedAt = Date.now();
    await pace(1_500, () => false);
    const server = world.server!;
    await server.stop('SIGKILL');
    const crashedAt = Date.now();
    expect(elapsed(queuedAt)).toBeGreaterThanOrEqual(1.5);
    // The producer fails fast while Redis is down rather than hanging the caller.
    const attempt = Date.now();
    await expect(world.producer.send({ ...NOTIFICATION, openIds: ['during-crash'] })).rejects.toThrow();
    const failFastMs = Date.now() - attempt;
    await pace(o.downMs - (Date.now() - crashedAt), () => false);
    await server.restart();
    const restartedAt = Date.now();

    await world.waitForRecipients(o.notifications, o.spreadMs + 60_000);
    // The same worker process, never restarted, is still taking jobs; the producer queues again.
    await waitUntil(async () => {
      try {
        await world.producer.send({ ...NOTIFICATION, openIds: ['after-restart'] });
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 20_000, intervalMs: 200, message: 'the producer queues again after the restart' });
    await world.waitForRecipients(o.notifications + 1, 20_000);
    expect(worker.child.exitCode).toBeNull();

    let early = 0;
    let maxLateMs = 0;
    for (const r of world.sandbox.accepted) {
      const sendAt = due.get(r.openIds[0] ?? '');
      if (sendAt === undefined) continue;
      if (r.receivedAt < sendAt) early++;
      maxLateMs = Math.max(maxLateMs, r.receivedAt - sendAt);
    }
    const dueDuringOutage = [...due.values()].filter((t) => t >= crashedAt && t < restartedAt).length;
    const t = tallyRecipients(world.recipientCounts(), [...due.keys(), 'after-restart']);
    figures('redis-aof-crash', {
      notifications: o.notifications,
      dueWhileDown: dueDuringOutage,
      downSeconds: (restartedAt - crashedAt) / 1_000,
      lost: t.lost,
      early,
      maxLateSeconds: maxLateMs / 1_000,
      producerFailFastMs: failFastMs,
    });
    expect(t.lost).toBe(0);
    expect(early).toBe(0);
    expect(failFastMs).toBeLessThan(5_000);
  } finally {
    await world.close();
  }
}

/** Sum of the worker's sendNotify call counter (its /metrics), or undefined when it cannot be read. */
async function callsMade(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  let total = 0;
  for (const m of text.matchAll(/^neupush_sendnotify_duration_seconds_count\{[^}]*\} (\d+)/gm)) total += Number(m[1]);
  return total;
}

export interface OutageOptions {
  recipients: number;
  /** Each of the three phases: 503, hang, connection refused. */
  phaseMs: number;
  concurrency: number;
  timeoutMs: number;
  maxPauseMs: number;
  /** Deadline of the few notifications queued as the outage starts, shorter than the outage. */
  shortDeadlineMs: number;
}

/**
 * A sendNotify outage in three phases (HTTP 503, then hanging, then refusing connections) in the middle
 * of a campaign. Nothing within its deadline is dead-lettered; a notification whose deadline passes during
 * the outage is (as `expired`); the worker pauses globally instead of spinning, so the calls it makes during
 * the outage stay within `concurrency` per probe and the attempts of the campaign's jobs are not used up.
 */
export async function sendNotifyOutage(o: OutageOptions): Promise<void> {
  const world = await ChaosWorld.start();
  try {
    const ids = openIds(o.recipients);
    await world.producer.createCampaign({ id: 'outage', notification: NOTIFICATION, recipients: ids });
    const metricsPort = await freePort();
    await world.spawnWorker({
      NEUPUSH_CONCURRENCY: String(o.concurrency),
      // About 10 s of sending without the outage: still under way when the outage starts at 15 %.
      NEUPUSH_RATE_LIMIT: String(Math.max(10, Math.ceil(o.recipients / CHUNK / 10))),
      NEUPUSH_TIMEOUT_MS: String(o.timeoutMs),
      NEUPUSH_OUTAGE_MAX_PAUSE: String(o.maxPauseMs),
      NEUPUSH_METRICS_PORT: String(metricsPort),
    });
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    await world.sandbox.waitFor((s) => s.accepted.length * CHUNK >= o.recipients * 0.15, 60_000);

    const outageStart = Date.now();
    const callsBefore = await callsMade(metricsUrl);
    world.sandbox.setFaults([{ httpStatus: 503 }]);
    const short = await Promise.all(
      Array.from({ length: 3 }, (_, i) => world.producer.send({ ...NOTIFICATION, openIds: [`short-${i}`] }, { expiresIn: o.shortDeadlineMs })),
    );
    await pace(o.phaseMs, () => false);
    world.sandbox.setFaults([{ hang: true }]);
    await pace(o.phaseMs, () => false);
    await world.closeSandbox();
    await pace(o.phaseMs, () => false);
    const callsDuring = (await callsMade(metricsUrl)) - callsBefore;
    const outageSeconds = elapsed(outageStart);
    const deliveredBefore = world.recipientCounts().size;
    await world.reopenSandbox();
    const recovered = Date.now();

    await world.waitForRecipients(o.recipients, 120_000 + o.maxPauseMs);
    const recoverySeconds = elapsed(recovered);
    const dead = await world.producer.listDeadLetters();
    const t = tallyRecipients(world.recipientCounts(), ids);
    const jobs = (await world.producer.deliveries.getJobs(['completed'], 0, -1)) as Job[];
    const maxAttempts = Math.max(0, ...jobs.map((j) => j.attemptsMade));
    // Pauses double from 1 s to the cap; each pause ends with one probe wave of at most `concurrency` calls.
    let waves = 0;
    for (let at = 0, pause = 1_000; at < o.phaseMs * 3; at += pause, pause = Math.min(pause * 2, o.maxPauseMs)) waves++;
    const bound = 20 + (waves + 1) * o.concurrency;
    figures('outage', {
      outageSeconds,
      callsDuringOutage: callsDuring,
      callBound: bound,
      recipientsDeliveredBeforeOutage: deliveredBefore,
      recoverySeconds,
      lost: t.lost,
      sentTwice: t.doubled,
      deadLetters: dead.length,
      maxAttemptsUsed: maxAttempts,
    });
    expect(t.lost).toBe(0);
    expect(callsDuring).toBeLessThanOrEqual(bound);
    // Only the notifications whose deadline passed during the outage are dead letters, as `expired`.
    expect(dead.map((d) => d.notificationId).sort()).toEqual(short.map((s) => s.id).sort());
    expect(dead.every((d) => d.reason === 'expired')).toBe(true);
    await expectCampaignComplete(world, 'outage', o.recipients);
  } finally {
    await world.close();
  }
}

/** The platform hangs: the HTTP timeout fires long before the job lock would lapse, so the job retries. */
export async function platformHangs(o: { timeoutMs: number }): Promise<void> {
  const world = await ChaosWorld.start({ sandbox: { faults: [{ hang: true, times: 1 }] } });
  try {
    const worker = await world.spawnWorker({ NEUPUSH_TIMEOUT_MS: String(o.timeoutMs), NEUPUSH_BACKOFF_MS: '100' });
    const sentAt = Date.now();
    const { id } = await world.producer.send({ ...NOTIFICATION, openIds: ['u-hang'] });
    await world.waitForRecipients(1, LOCK_DURATION_MS);
    const deliveredAfter = elapsed(sentAt);
    // The stand-in records the recipient when the request arrives, before the worker has moved the job to
    // completed and counted the attempt: read attemptsMade only once the job is finished.
    await waitUntil(async () => (await world.producer.deliveries.getJobState(`${id}.0`)) === 'completed', {
      timeoutMs: 10_000,
      message: `job ${id}.0 completed`,
    });
    const job = (await world.producer.deliveries.getJob(`${id}.0`)) as Job;
    figures('hang', { timeoutMs: o.timeoutMs, lockMs: LOCK_DURATION_MS, deliveredAfterSeconds: deliveredAfter, attempts: job.attemptsMade });
    expect(job.attemptsMade).toBe(2);
    expect(deliveredAfter * 1_000).toBeGreaterThanOrEqual(o.timeoutMs);
    expect(deliveredAfter * 1_000).toBeLessThan(LOCK_DURATION_MS);
    expect(world.requests()).toBe(2);
    expect(worker.output()).not.toMatch(/stalled/i);
    const retryLine = worker.output().split('\n').find((line) => line.includes('"msg":"will retry"'));
    expect(retryLine).toMatch(/ETIMEDOUT|[Tt]imeout/);
  } finally {
    await world.close();
  }
}

/** `CLIENT KILL TYPE normal` drops every connection mid-campaign, `drops` times: processing resumes, nothing lost. */
export async function redisConnectionDrops(o: { recipients: number; rateLimit: number; drops: number }): Promise<void> {
  const world = await ChaosWorld.start();
  try {
    const ids = openIds(o.recipients);
    await world.producer.createCampaign({ id: 'client-kill', notification: NOTIFICATION, recipients: ids });
    const worker = await world.spawnWorker({ NEUPUSH_RATE_LIMIT: String(o.rateLimit) });
    const killer = new Redis(world.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    killer.on('error', () => {});
    let killed = 0;
    for (let i = 1; i <= o.drops; i++) {
      const share = i / (o.drops + 1);
      await world.sandbox.waitFor((s) => s.accepted.length * CHUNK >= o.recipients * share, 60_000);
      await killer.connect().catch(() => {});
      killed += Number(await killer.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
      killer.disconnect();
    }
    await world.waitForRecipients(o.recipients, 120_000);
    await world.producer.send({ ...NOTIFICATION, openIds: ['after-drops'] });
    await world.waitForRecipients(o.recipients + 1, 20_000);
    const t = tallyRecipients(world.recipientCounts(), [...ids, 'after-drops']);
    figures('client-kill', { recipients: o.recipients, drops: o.drops, connectionsKilled: killed, lost: t.lost, sentTwice: t.doubled });
    expect(killed).toBeGreaterThanOrEqual(o.drops * 2);
    expect(t.lost).toBe(0);
    expect(t.unexpected).toBe(0);
    expect(worker.child.exitCode).toBeNull();
    expect(await world.producer.listDeadLetters()).toEqual([]);
    await expectCampaignComplete(world, 'client-kill', o.recipients);
  } finally {
    await world.close();
  }
}

/** Several worker processes on one Redis: no recipient twice; the time for 1 and for `processes` is printed. */
export async function scaleOut(o: { recipients: number; processes: number; concurrency: number }): Promise<void> {
  const world = await ChaosWorld.start();
  try {
    const env = { NEUPUSH_CONCURRENCY: String(o.concurrency), NEUPUSH_RATE_LIMIT: '100000' };
    const seconds = new Map<number, number>();
    for (const n of [1, o.processes]) {
      const ids = openIds(o.recipients, `p${n}`);
      const workers = await Promise.all(Array.from({ length: n }, () => world.spawnWorker(env)));
      const before = world.recipientCounts().size;
      // Due a moment after it is fully queued, so only delivery is timed, with every process ready.
      const sendAt = Date.now() + 5_000;
      await world.producer.createCampaign({ id: `scale-${n}`, notification: NOTIFICATION, recipients: ids, sendAt: new Date(sendAt) });
      expect(Date.now()).toBeLessThan(sendAt);
      await world.waitForRecipients(before + o.recipients, 120_000);
      seconds.set(n, elapsed(sendAt));
      const t = tallyRecipients(world.recipientCounts(), ids);
      expect(t.lost).toBe(0);
      expect(t.doubled).toBe(0);
      await Promise.all(
        workers.map(async (w) => {
          w.child.kill('SIGTERM');
          await w.exited;
        }),
      );
    }
    const one = seconds.get(1) ?? 0;
    const many = seconds.get(o.processes) ?? 0;
    figures('scale-out', {
      recipients: o.recipients,
      processes: o.processes,
      secondsWith1: one,
      [`secondsWith${o.processes}`]: many,
      speedup: one / many,
      requests: world.requests(),
      sentTwice: 0,
    });
    // Every request of both campaigns exactly once: no recipient twice with several processes.
    expect(world.requests()).toBe((2 * o.recipients) / CHUNK);
  } finally {
    await world.close();
  }
}

/**
 * Everything on a three-master Redis Cluster started here, with a hash-tagged prefix so that every key
 * lands in one slot: send now, chunked and scheduled sends, idempotency, a campaign with exact counts,
 * cancel, dead letters and redrive, with the worker as a process configured by REDIS_CLUSTER_NODES.
 */
export async function onRedisCluster(o: { recipients: number }): Promise<void> {
  const cluster = await startRedisCluster(3);
  const nodes = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const prefix = `{${testPrefix()}}`;
  const sandbox = await startSandbox({ appid: 'cluster-app', secret: 'cluster-secret' });
  const producer = await Producer.create({
    env: { REDIS_CLUSTER_NODES: nodes, NEUPUSH_PREFIX: prefix, NEUXNET_BASE_URL: sandbox.url },
  });
  const worker = spawnWorkerProcess({
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_CLUSTER_NODES: nodes,
    NEUPUSH_PREFIX: prefix,
    NEUXNET_BASE_URL: sandbox.url,
    NEUXNET_APPID: 'cluster-app',
    NEUXNET_SECRET: 'cluster-secret',
    NEUPUSH_METRICS_PORT: '0',
    NEUPUSH_RATE_LIMIT: '10000',
    NEUPUSH_BACKOFF_MS: '100',
    LOG_LEVEL: 'info',
  });
  const started = Date.now();
  try {
    await worker.started(60_000);
    const counts = () => {
      const c = new Map<string, number>();
      for (const r of sandbox.accepted) for (const id of r.openIds) c.set(id, (c.get(id) ?? 0) + 1);
      return c;
    };
    const delivered = (ids: readonly string[], timeoutMs = 30_000) =>
      waitUntil(
        () => {
          const c = counts();
          return ids.every((id) => c.has(id));
        },
        { timeoutMs, intervalMs: 100, message: `${ids.length} recipients delivered` },
      );

    const now = openIds(250, 'now');
    const sent = await producer.send({ ...NOTIFICATION, openIds: now });
    expect(sent.jobs).toBe(3);
    await delivered(now);

    const dueAt = Date.now() + 2_000;
    await producer.send({ ...NOTIFICATION, openIds: ['later'] }, { sendAt: new Date(dueAt) });
    await delivered(['later']);
    expect(sandbox.accepted.find((r) => r.openIds.includes('later'))!.receivedAt).toBeGreaterThanOrEqual(dueAt);

    const first = await producer.send({ ...NOTIFICATION, openIds: ['once'] }, { idempotencyKey: 'order-1' });
    const again = await producer.send({ ...NOTIFICATION, openIds: ['once'] }, { idempotencyKey: 'order-1' });
    expect(again.id).toBe(first.id);

    const audience = openIds(o.recipients, 'c');
    await producer.createCampaign({ id: 'on-cluster', notification: NOTIFICATION, recipients: audience });
    await delivered(audience, 60_000);
    await waitUntil(async () => (await producer.getCampaign('on-cluster'))?.state === 'completed', { timeoutMs: 20_000, intervalMs: 100 });
    expect(await producer.getCampaign('on-cluster')).toMatchObject({ recipients: o.recipients, sent: o.recipients, failed: 0 });

    await producer.createCampaign({ id: 'cancelled', notification: NOTIFICATION, recipients: openIds(500, 'x'), sendAt: new Date(Date.now() + 3_600_000) });
    expect(await producer.cancelCampaign('cancelled')).toMatchObject({ stopped: 500, state: 'cancelled' });

    sandbox.setFaults([{ match: { title: 'Refused' }, headerStatus: 400 }]);
    await producer.send({ ...NOTIFICATION, title: 'Refused', openIds: ['dlq'] });
    await waitUntil(async () => (await producer.listDeadLetters()).length === 1, { timeoutMs: 20_000, intervalMs: 100 });
    sandbox.setFaults([]);
    expect(await producer.redriveDeadLetters('all')).toMatchObject({ redriven: 1 });
    await delivered(['dlq']);

    const twice = [...counts().entries()].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice).toEqual([]);
    expect(counts().has('x-000000')).toBe(false);
    // One slot: every key under the prefix lives on the one master that owns the tag's slot.
    const holders = await Promise.all(
      cluster.servers.map(async (s) => {
        const r = new Redis(s.url);
        try {
          const [, keys] = await r.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 100_000);
          return keys.length;
        } finally {
          r.disconnect();
        }
      }),
    );
    expect(holders.filter((n) => n > 0)).toHaveLength(1);
    expect(worker.output()).not.toMatch(/CROSSSLOT|MOVED|"level":50/);
    figures('cluster', { masters: 3, prefix, recipients: counts().size, keysPerNode: holders.join('/'), seconds: elapsed(started) });
  } finally {
    if (worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await Promise.allSettled([producer.close(), sandbox.close()]);
    await cluster.stop();
  }
}

/**
 * A master, a replica and a Sentinel: producer and worker process find the master through the Sentinel
 * (REDIS_SENTINELS), and after `SENTINEL FAILOVER` both follow the new master on their own; a notification
 * scheduled before the failover goes out after it.
 */
export async function onRedisSentinel(): Promise<void> {
  const master = await startRedisServer();
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const sentinel = await startSentinel({ host: '127.0.0.1', port: master.port });
  const sandbox = await startSandbox({ appid: 'sentinel-app', secret: 'sentinel-secret' });
  const prefix = testPrefix();
  const env = { REDIS_SENTINELS: `${sentinel.host}:${sentinel.port}`, NEUPUSH_PREFIX: prefix, NEUXNET_BASE_URL: sandbox.url };
  const producer = await Producer.create({ env });
  const worker = spawnWorkerProcess({
    ...env,
    NEUXNET_APPID: 'sentinel-app',
    NEUXNET_SECRET: 'sentinel-secret',
    NEUPUSH_METRICS_PORT: '0',
    NEUPUSH_BACKOFF_MS: '100',
    LOG_LEVEL: 'info',
  });
  const admin = new Redis(master.url);
  admin.on('error', () => {});
  try {
    await worker.started(60_000);
    const delivered = (id: string, timeoutMs = 30_000) =>
      waitUntil(() => sandbox.accepted.some((r) => r.openIds.includes(id)), { timeoutMs, intervalMs: 100, message: `${id} delivered` });
    await producer.send({ ...NOTIFICATION, openIds: ['before'] });
    await delivered('before');
    const dueAt = Date.now() + 8_000;
    await producer.send({ ...NOTIFICATION, openIds: ['scheduled-across'] }, { sendAt: new Date(dueAt) });
    // Replication is asynchronous: make sure the replica has the scheduled job before failing over.
    expect(Number(await admin.call('WAIT', '1', '5000'))).toBe(1);
    const sentinelAdmin = new Redis(sentinel.port, sentinel.host);
    await waitUntil(async () => ((await sentinelAdmin.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).length > 0, {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'the Sentinel knows the replica',
    });
    const failoverAt = Date.now();
    await sentinelAdmin.call('SENTINEL', 'FAILOVER', 'mymaster');
    await waitUntil(async () => (await sentinel.master()) === `127.0.0.1:${replica.port}`, { timeoutMs: 30_000, intervalMs: 100 });
    const switchedSeconds = elapsed(failoverAt);
    sentinelAdmin.disconnect();

    await waitUntil(
      async () => {
        try {
          await producer.send({ ...NOTIFICATION, openIds: ['after'] });
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the producer queues on the new master' },
    );
    await delivered('after');
    await delivered('scheduled-across');
    const recoveredSeconds = elapsed(failoverAt);
    expect(sandbox.accepted.find((r) => r.openIds.includes('scheduled-across'))!.receivedAt).toBeGreaterThanOrEqual(dueAt);
    expect(worker.child.exitCode).toBeNull();
    figures('sentinel', { switchedSeconds, deliveringAgainAfterSeconds: recoveredSeconds, requests: sandbox.stats().requests });
  } finally {
    admin.disconnect();
    if (worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await Promise.allSettled([producer.close(), sandbox.close()]);
    await sentinel.stop();
    await Promise.allSettled([replica.destroy(), master.destroy()]);
  }
}
