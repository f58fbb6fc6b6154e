import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { freePort } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/isolation.js';

let pipeline: Pipeline | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

/** One sample's value from Prometheus text, e.g. value(text, 'neupush_retries_total'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const base = { text: 'Body', navigateType: 1, language: 'en_US' } as const;

describe('worker /metrics, /healthz, /readyz', () => {
  it('counts deliveries, recipients, dead letters, retries, call and lateness histograms, limiter waits and queue depths', async () => {
    const metricsPort = await freePort();
    pipeline = await startPipeline({
      config: { metricsPort, rateLimit: 2 },
      sandbox: {
        faults: [
          { match: { title: 'Refused' }, headerStatus: 400, msg: 'bad parameters' },
          { match: { title: 'Flaky' }, times: 1, httpStatus: 503 },
        ],
      },
    });
    const handle = pipeline.workers[0]!;
    expect(handle.metricsUrl).toBe(`http://127.0.0.1:${metricsPort}`);
    const { producer } = pipeline;
    const sends = await Promise.all([
      producer.send({ ...base, title: 'A', openIds: ['u-1', 'u-2', 'u-3'] }),
      producer.send({ ...base, title: 'B', openIds: ['u-4'] }),
      producer.send({ ...base, title: 'Flaky', openIds: ['u-5', 'u-6'] }),
      producer.send({ ...base, title: 'Refused', openIds: ['u-7'] }),
    ]);
    const outcomes = await pipeline.waitForJobs(sends.flatMap(jobIdsOf), 20_000);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['dead-lettered', 'delivered', 'delivered', 'delivered']);

    const res = await fetch(`${handle.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(value(text, 'neupush_deliveries_total{outcome="delivered"}')).toBe(3);
    expect(value(text, 'neupush_deliveries_total{outcome="dead-lettered"}')).toBe(1);
    expect(value(text, 'neupush_recipients_delivered_total')).toBe(6);
    expect(value(text, 'neupush_dead_letters_total{reason="rejected"}')).toBe(1);
    expect(value(text, 'neupush_retries_total')).toBe(1);
    expect(value(text, 'neupush_sendnotify_duration_seconds_count{outcome="delivered",endpoint="sendNotify"}')).toBe(3);
    expect(value(text, 'neupush_sendnotify_duration_seconds_count{outcome="retryable",endpoint="sendNotify"}')).toBe(1);
    expect(value(text, 'neupush_sendnotify_duration_seconds_count{outcome="rejected",endpoint="sendNotify"}')).toBe(1);
    expect(value(text, 'neupush_lateness_seconds_count{attempt="first"}')).toBe(4);
    expect(value(text, 'neupush_lateness_seconds_count{attempt="retry"}')).toBe(1);
    // Five calls at 2 per second: the limiter must have paused this worker at least once.
    expect(value(text, 'neupush_rate_limit_waits_total')).toBeGreaterThan(0);
    expect(value(text, 'neupush_rate_limit_wait_seconds_total')).toBeGreaterThan(0);
    expect(value(text, 'neupush_queue_jobs{queue="dead-letters",state="waiting"}')).toBe(1);
    expect(value(text, 'neupush_queue_jobs{queue="deliveries",state="completed"}')).toBe(4);
    expect(value(text, 'neupush_queue_jobs{queue="deliveries",state="waiting"}')).toBe(0);
    expect(value(text, 'neupush_queue_jobs{queue="schedules",state="delayed"}')).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');

    const healthz = await fetch(`${handle.metricsUrl}/healthz`);
    expect(healthz.status).toBe(200);
    const readyz = await fetch(`${handle.metricsUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ status: 'ready', checks: { redis: true, worker: true, schedules: true } });

    await handle.close();
    await expect(fetch(`${handle.metricsUrl}/healthz`)).rejects.toThrow();
  });

  it('/readyz answers 503 naming the check while the worker is not running', async () => {
    const metricsPort = await freePort();
    pipeline = await startPipeline({ worker: false, config: { metricsPort } });
    const handle = await pipeline.startWorker({ autorun: false });
    const readyz = await fetch(`${handle.metricsUrl}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'not ready', checks: { redis: true, worker: false, schedules: true } });
    void handle.worker.run();
    await waitUntil(async () => (await fetch(`${handle.metricsUrl}/readyz`)).status === 200, { message: 'readyz 200' });
  });

  it('NEUPUSH_METRICS_PORT=0 serves nothing; a taken port is logged and the worker still delivers', async () => {
    pipeline = await startPipeline({ config: { metricsPort: 0 } });
    expect(pipeline.workers[0]!.metricsUrl).toBeUndefined();

    const taken = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(taken, resolve));
    const second = await pipeline.startWorker({ config: { metricsPort: taken } });
    expect(second.metricsUrl).toBeUndefined();
    const line = pipeline.logs.lines().find((l) => String(l.msg).startsWith('could not serve metrics'));
    expect(line).toMatchObject({ level: 50, port: taken });

    const sent = await pipeline.producer.send({ ...base, title: 'Still', openIds: ['u-1'] });
    expect(await pipeline.waitForJobs(jobIdsOf(sent))).toEqual([{ status: 'delivered', recipients: 1 }]);
  });
});
