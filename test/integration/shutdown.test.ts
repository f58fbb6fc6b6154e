import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { spawnWorkerProcess, type WorkerProcess } from '../helpers/spawn-worker.js';

let pipeline: Pipeline | undefined;
let child: WorkerProcess | undefined;
afterEach(async () => {
  if (child && child.child.exitCode === null && child.child.signalCode === null) {
    child.child.kill('SIGKILL');
    await child.exited;
  }
  child = undefined;
  await pipeline?.close();
  pipeline = undefined;
});

const TOTAL = 200;

describe('SIGTERM', () => {
  it('during delivery loses nothing: in-flight calls finish, a second worker delivers the rest exactly once', async () => {
    pipeline = await startPipeline({ worker: false, sandbox: { latencyMs: 300 } });
    const { sandbox, producer, config } = pipeline;
    await Promise.all(
      Array.from({ length: TOTAL }, (_, i) =>
        producer.send({ title: `Notice ${i}`, text: 'Your parcel is out for delivery', navigateType: 1, language: 'en_US', openIds: [`u-${i}`] }),
      ),
    );

    child = spawnWorkerProcess({
      REDIS_URL: config.redisUrl!,
      NEUPUSH_PREFIX: config.prefix!,
      NEUXNET_BASE_URL: config.baseUrl!,
      NEUXNET_APPID: config.appid!,
      NEUXNET_SECRET: config.secret!,
      NEUPUSH_CONCURRENCY: '20',
      NEUPUSH_RATE_LIMIT: '10000',
      NEUPUSH_BACKOFF_MS: '50',
      NEUPUSH_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    });
    await child.started();
    await sandbox.waitFor((s) => s.accepted.length >= 40, 20_000);
    // Calls go out in waves of the concurrency; signal inside a wave, not between two.
    await sandbox.waitFor((s) => s.stats().inFlight >= 10, 5_000);
    const inFlightAtSignal = sandbox.stats().inFlight;
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });

    // Mid-delivery for real, and every call it had started was answered and recorded before it exited.
    expect(inFlightAtSignal).toBeGreaterThan(0);
    expect(sandbox.stats().inFlight).toBe(0);
    expect(await producer.deliveries.getActiveCount()).toBe(0);
    const deliveredByFirst = sandbox.accepted.length;
    expect(deliveredByFirst).toBeLessThan(TOTAL);
    expect(await producer.deliveries.getCompletedCount()).toBe(deliveredByFirst);

    await pipeline.startWorker();
    await sandbox.waitFor((s) => s.accepted.length >= TOTAL, 20_000);
    const counts = new Map<string, number>();
    for (const request of sandbox.accepted) for (const id of request.openIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(TOTAL);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(sandbox.stats().requests).toBe(TOTAL);
    expect(await producer.listDeadLetters()).toEqual([]);

    expect(child.output()).toContain('"msg":"shutting down"');
    expect(child.output()).not.toContain(config.secret!);
  });
});
