import { randomBytes } from 'node:crypto';
import { Producer } from '../../producer/producer.js';
import { startSandbox } from '../../sandbox/server.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { safeMessage } from '../../shared/error-serializer.js';
import { startWorker } from '../../worker/worker.js';
import { DEMO_PREFIX_START, unlinkDemoKeys } from './cleanup.js';
import { DemoProgress } from './progress.js';
import { redactPassword, redisForDemo } from './redis-for-demo.js';
import { summaryLines } from './report.js';
import { DEMO_ZONE, demoCases, demoFaults } from './scenario.js';

export interface DemoOptions {
  /** Where lines go. Default: stdout. */
  say?: (line: string) => void;
  /** Give up when the notifications have not all settled by then. Default 60 s. */
  timeoutMs?: number;
}

/** Short so the retries show within a second or two; production uses NEUPUSH_BACKOFF_MS (1 s). */
const DEMO_BACKOFF_MS = 300;
const DEMO_ATTEMPTS = 5;

type Step = { name: string; run: () => Promise<unknown> };

/** Rejects on the first SIGINT/SIGTERM so cleanup still runs; a second signal exits at once. */
function interruption(): { promise: Promise<never>; dispose: () => void } {
  let fail: (e: Error) => void = () => {};
  const promise = new Promise<never>((_resolve, reject) => (fail = reject));
  promise.catch(() => {});
  let seen = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (seen) process.exit(130);
    seen = true;
    fail(new Error(`demo interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function timeout(ms: number, what: () => string): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`demo: still waiting after ${ms / 1000} s for ${what()}`)), ms);
  });
  promise.catch(() => {});
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * The demo: Redis (configured, or a private one), the sandbox with a generated appid and secret, an
 * in-process worker, five notifications that show the features, progress as it happens, a summary.
 * Everything runs under its own `neupush-demo-<random>` prefix, deleted at the end, so real queues on
 * the same Redis are never touched.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const startedAt = Date.now();
  const configured = loadConfig();
  const steps: Step[] = [];
  const interrupt = interruption();
  try {
    const redis = await Promise.race([redisForDemo(configured.redisUrl), interrupt.promise]);
    steps.push({ name: 'stop the private redis-server', run: () => redis.stop() });
    if (redis.privateServer) {
      say(`No Redis answered at ${redactPassword(configured.redisUrl)}; started a private redis-server at ${redis.url} (pid ${redis.privateServer.pid}, data in ${redis.privateServer.dir}); it stops when the demo ends.`);
    } else {
      say(`Redis: ${redactPassword(redis.url)}`);
    }

    const prefix = `${DEMO_PREFIX_START}${randomBytes(4).toString('hex')}`;
    const appid = `demo-app-${randomBytes(3).toString('hex')}`;
    const secret = randomBytes(24).toString('base64url');
    const sandbox = await startSandbox({ appid, secret, faults: demoFaults() });
    steps.push({ name: 'close the sandbox', run: () => sandbox.close() });
    say(`Sandbox: ${sandbox.url} (appid ${appid}, a generated secret; it checks every signature)`);

    const shared: Partial<Config> = { redisUrl: redis.url, prefix, backoffMs: DEMO_BACKOFF_MS, attempts: DEMO_ATTEMPTS };
    const producer = await Producer.create({ config: shared });
    steps.push({ name: 'close the producer', run: () => producer.close() });
    steps.push({ name: `delete the demo's keys (${prefix}:*)`, run: () => unlinkDemoKeys(producer.redis, prefix) });

    const cases = demoCases(Date.now());
    const progress = new DemoProgress(cases, startedAt, say);
    // The worker logs only errors: the demo prints its own line for each event, expected failures included.
    // No metrics server: a worker already running on this machine may hold NEUPUSH_METRICS_PORT. The
    // eviction check guards real queues; the demo's keys are throwaway, so any Redis will do.
    const worker = await startWorker({
      config: { ...shared, baseUrl: sandbox.url, appid, secret, logLevel: 'error', metricsPort: 0, allowEviction: true },
      logger: createLogger({ level: 'error', destination: process.stderr }),
      hooks: progress.hooks,
    });
    steps.push({ name: 'close the worker', run: () => worker.close() });
    say(`Worker: in-process, queue prefix ${prefix}, first retry after ~${DEMO_BACKOFF_MS} ms`);
    say('');

    for (const c of cases) {
      const result = await producer.send(c.notification, c.options);
      const state = progress.states.get(c.title);
      if (state) state.id = result.id;
      const now = Date.now();
      const due = c.dueAt <= now ? 'due now' : `due in ${((c.dueAt - now) / 1000).toFixed(1)} s`;
      const zone = c.options.timezone ? ` (${String(c.options.sendAt)} ${DEMO_ZONE})` : '';
      progress.line('queued', `"${c.title}" as ${result.id}, ${due}${zone}`);
    }

    const limit = timeout(options.timeoutMs ?? 60_000, () => progress.unsettled().join(', '));
    try {
      await Promise.race([progress.settled(), limit.promise, interrupt.promise]);
    } finally {
      limit.clear();
    }

    const deadLetters = await producer.listDeadLetters();
    const states = [...progress.states.values()];
    for (const line of summaryLines({
      states,
      deadLetters,
      sandbox: sandbox.stats(),
      acceptedRecipients: sandbox.accepted.reduce((n, a) => n + a.openIds.length, 0),
      elapsedMs: Date.now() - startedAt,
    })) {
      say(line);
    }
    const wrong = states.filter((s) => s.result !== s.demoCase.expect);
    if (wrong.length > 0) {
      throw new Error(`demo: ${wrong.map((s) => `"${s.demoCase.title}" ended ${s.result ?? 'pending'}, expected ${s.demoCase.expect}`).join('; ')}`);
    }
  } finally {
    // Reverse order of start: the worker stops before its keys go, Redis goes last.
    for (const step of steps.reverse()) {
      try {
        await step.run();
      } catch (error) {
        process.stderr.write(`neupush demo: could not ${step.name}: ${safeMessage(error)}\n`);
      }
    }
    interrupt.dispose();
  }
}
