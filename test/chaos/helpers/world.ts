import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { Producer } from '../../../src/producer/producer.js';
import { startSandbox } from '../../../src/sandbox/server.js';
import type { Sandbox, SandboxOptions } from '../../../src/sandbox/sandbox.js';
import type { Config } from '../../../src/shared/config.js';
import { deleteKeysWithPrefix, testPrefix, waitUntil } from '../../helpers/isolation.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { spawnWorkerProcess, type WorkerProcess } from '../../helpers/spawn-worker.js';

/** Chaos tests kill, drop and restart Redis, so they need a redis-server of their own. */
export const HAS_REDIS_SERVER = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface WorldOptions {
  /** Extra redis-server arguments (`--appendonly yes`, `--hz 100`). */
  redisArgs?: string[];
  /** Use this Redis instead of starting one (a cluster test passes its own). */
  redisUrl?: string;
  sandbox?: Omit<SandboxOptions, 'appid' | 'secret'>;
  /** Producer config overrides. */
  config?: Partial<Config>;
}

/**
 * One chaos scenario's world: a private redis-server, the sandbox in this process, a producer, and worker
 * processes started from the environment as a deployment would (`node --import tsx`, JSON logs).
 * Recipients accepted by every sandbox this world has run are tallied across sandbox restarts.
 */
export class ChaosWorld {
  readonly prefix = testPrefix();
  readonly appid = `app-${randomBytes(6).toString('hex')}`;
  readonly secret = `secret-${randomBytes(16).toString('hex')}`;
  readonly workers: WorkerProcess[] = [];
  server: RedisServer | undefined;
  redisUrl = '';
  sandbox!: Sandbox;
  producer!: Producer;
  /** A plain client for inspection; reconnects on its own after a Redis restart. */
  admin!: Redis;
  #options: WorldOptions;
  /** Tally of accepted openIds, kept up to date incrementally: a 100,000-recipient recount per poll would
   * block this process, which also runs the sandbox, and slow the very thing being measured. */
  #counts = new Map<string, number>();
  #tallied = 0;
  #earlierRequests = 0;

  private constructor(options: WorldOptions) {
    this.#options = options;
  }

  static async start(options: WorldOptions = {}): Promise<ChaosWorld> {
    const world = new ChaosWorld(options);
    try {
      if (options.redisUrl) {
        world.redisUrl = options.redisUrl;
      } else {
        world.server = await startRedisServer({ args: options.redisArgs ?? [] });
        world.redisUrl = world.server.url;
      }
      world.sandbox = await startSandbox({ ...options.sandbox, appid: world.appid, secret: world.secret });
      world.producer = await Producer.create({ env: {}, config: { ...world.baseConfig(), ...options.config } });
      world.admin = new Redis(world.redisUrl, { maxRetriesPerRequest: null });
      world.admin.on('error', () => {});
    } catch (error) {
      await world.close();
      throw error;
    }
    return world;
  }

  baseConfig(): Partial<Config> {
    return { redisUrl: this.redisUrl, prefix: this.prefix, baseUrl: this.sandbox.url, appid: this.appid, ...this.#options.config };
  }

  /** The environment a worker process runs with. */
  workerEnv(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: this.redisUrl,
      NEUPUSH_PREFIX: this.prefix,
      NEUXNET_BASE_URL: this.sandbox.url,
      NEUXNET_APPID: this.appid,
      NEUXNET_SECRET: this.secret,
      NEUPUSH_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...overrides,
    };
  }

  async spawnWorker(overrides: Record<string, string> = {}): Promise<WorkerProcess> {
    const worker = spawnWorkerProcess(this.workerEnv(overrides));
    this.workers.push(worker);
    await worker.started(60_000);
    return worker;
  }

  /** Swap in a new sandbox on the same port (the platform back after refusing connections). */
  async reopenSandbox(options: Omit<SandboxOptions, 'appid' | 'secret'> = {}): Promise<void> {
    await this.sandbox.close();
    this.recipientCounts();
    this.#tallied = 0;
    this.#earlierRequests += this.sandbox.stats().requests;
    this.sandbox = await startSandbox({ ...this.#options.sandbox, ...options, port: this.sandbox.port, appid: this.appid, secret: this.secret });
  }

  /** Closes the current sandbox (connections are refused from now on) and returns its port. */
  async closeSandbox(): Promise<void> {
    await this.sandbox.close();
  }

  /** Times each openId was accepted, over every sandbox so far. Read it, do not change it. */
  recipientCounts(): ReadonlyMap<string, number> {
    const accepted = this.sandbox.accepted;
    for (; this.#tallied < accepted.length; this.#tallied++) {
      for (const id of (accepted[this.#tallied] as (typeof accepted)[number]).openIds) this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
    }
    return this.#counts;
  }

  /** sendNotify requests over every sandbox so far. */
  requests(): number {
    return this.#earlierRequests + this.sandbox.stats().requests;
  }

  /** Kills every worker process still running. */
  async killWorkers(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill(signal);
        await w.exited;
      }),
    );
  }

  async waitForRecipients(expected: number, timeoutMs: number): Promise<void> {
    await waitUntil(() => this.recipientCounts().size >= expected, {
      timeoutMs,
      intervalMs: 200,
      message: `${expected} distinct recipients accepted (have ${this.recipientCounts().size})`,
    });
  }

  async close(): Promise<void> {
    await this.killWorkers().catch(() => {});
    await Promise.allSettled([this.producer?.close(), this.sandbox?.close()]);
    if (this.server) {
      this.admin?.disconnect();
      await this.server.destroy();
    } else if (this.admin) {
      await deleteKeysWithPrefix(this.admin, this.prefix).catch(() => {});
      this.admin.disconnect();
    }
  }
}

/** Summary of who got what: `lost` never accepted, `doubled` accepted more than once. */
export function tallyRecipients(counts: ReadonlyMap<string, number>, expected: readonly string[]) {
  let lost = 0;
  let doubled = 0;
  let extraSends = 0;
  for (const id of expected) {
    const n = counts.get(id) ?? 0;
    if (n === 0) lost++;
    if (n > 1) {
      doubled++;
      extraSends += n - 1;
    }
  }
  const wanted = new Set(expected);
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id)).length;
  return { lost, doubled, extraSends, unexpected };
}

export function openIds(count: number, tag = 'u'): string[] {
  return Array.from({ length: count }, (_, i) => `${tag}-${i.toString(36).padStart(6, '0')}`);
}

export const NOTIFICATION = { title: 'Chaos', text: 'Delivered through fire', navigateType: 1, language: 'en_US' } as const;

export function figures(tag: string, values: Record<string, unknown>): void {
  const text = Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v)}`)
    .join(' ');
  console.log(`[chaos:${tag}] ${text}`);
}
