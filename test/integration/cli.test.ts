import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { notificationOf, type DeadLetterData } from '../../src/shared/job-data.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';
import { useTestRedis } from '../helpers/test-redis.js';
import { runCli } from '../helpers/run-cli.js';

const NOTIFICATION = {
  title: 'Order shipped',
  text: 'Arrives Friday',
  navigateType: 2,
  url: 'https://example.com/orders/1042',
  openIds: ['u-1', 'u-2', 'u-3'],
};

let dir: string;
let prefix: string;
let producer: Producer | undefined;
const redis = useTestRedis({
  prefix: () => prefix,
  closeOpened: async () => {
    await producer?.close();
    producer = undefined;
  },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'neupush-cli-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keysUnder(p: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1_000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

async function openProducer(): Promise<Producer> {
  producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix } });
  return producer;
}

describe('neupush CLI', () => {
  it('send --json prints the contract line and queues the chunks, reading NEUPUSH_CHUNK_SIZE', async () => {
    prefix = testPrefix();
    const file = join(dir, 'notification.json');
    await writeFile(file, JSON.stringify(NOTIFICATION));
    const r = await runCli(['send', '--file', file, '--send-at', new Date(Date.now() + 3_600_000).toISOString(), '--json'], {
      REDIS_URL: redisUrl(),
      NEUPUSH_PREFIX: prefix,
      NEUPUSH_CHUNK_SIZE: '2',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\{"id":"n-[0-9a-f-]+","jobs":2,"duplicate":false\}\n$/);
    const { id } = JSON.parse(r.stdout) as { id: string; jobs: number };

    const p = await openProducer();
    const jobs = await Promise.all([p.deliveries.getJob(`${id}.0`), p.deliveries.getJob(`${id}.1`)]);
    expect(jobs.map((j) => j && notificationOf(j.data).openIds)).toEqual([['u-1', 'u-2'], ['u-3']]);
    expect(await jobs[0]?.getState()).toBe('delayed');
  });

  it('refuses a bad notification on stdin with exit 2, naming the field, and queues nothing', async () => {
    prefix = testPrefix();
    const { title: _omitted, ...noTitle } = NOTIFICATION;
    const r = await runCli(['send', '--file', '-', '--json'], { REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix }, { input: JSON.stringify(noTitle) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/stdin/);
    expect(r.stderr).toMatch(/title/);
    // Not even a queue's meta key: it was refused before connecting.
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('exits 2 before touching Redis for ids that could name other keys, far-off deadlines and a reused idempotency key', async () => {
    prefix = testPrefix();
    const env = { REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix };
    // Five CLI processes starting at once on a busy machine: give each time to start.
    const slow = { timeoutMs: 90_000 };
    const file = join(dir, 'key-notification.json');
    await writeFile(file, JSON.stringify(NOTIFICATION));
    const refused = await Promise.all([
      runCli(['campaign', 'cancel', 'X:chunks'], env, slow),
      runCli(['campaign', 'status', 'X:chunks'], env, slow),
      runCli(['schedule', 'remove', 'a:b'], env, slow),
      runCli(['dlq', 'redrive', 'n-1.0', 'a:b'], env, slow),
      runCli(['send', '--file', file, '--expires-in', '99999999999d'], env, slow),
    ]);
    expect(refused.map((r) => [r.code, r.stderr.split(':').slice(0, 3).join(':')])).toEqual([
      [2, 'neupush: Invalid campaign id: id'],
      [2, 'neupush: Invalid campaign id: id'],
      [2, 'neupush: Invalid schedule id: id'],
      [2, 'neupush: Invalid dead-letter ids: ids.1'],
      [2, 'neupush: Invalid send options: expiresIn'],
    ]);
    expect(await keysUnder(prefix)).toEqual([]);

    const first = await runCli(['send', '--file', file, '--idempotency-key', 'order-7', '--json'], env);
    const again = await runCli(['send', '--file', file, '--idempotency-key', 'order-7', '--json'], env);
    expect(JSON.parse(again.stdout)).toEqual({ ...JSON.parse(first.stdout), duplicate: true });
    await writeFile(file, JSON.stringify({ ...NOTIFICATION, title: 'Order cancelled' }));
    const clash = await runCli(['send', '--file', file, '--idempotency-key', 'order-7'], env);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toBe('neupush: Idempotency key "order-7" was already used with a different request\n');
  }, 180_000);

  it('exits 2 naming a notification file that does not exist', async () => {
    prefix = testPrefix();
    const missing = join(dir, 'no-such-file.json');
    const r = await runCli(['send', '--file', missing], { REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('dlq list --json prints a JSON array of entries with the contract fields', async () => {
    prefix = testPrefix();
    const p = await openProducer();
    const entry: DeadLetterData = {
      v: 1,
      reason: 'rejected',
      attempts: 1,
      lastStatus: 400,
      lastHttpStatus: 200,
      lastError: 'HTTP 200, status 400, invalid parameter',
      jobId: 'n-cli.0',
      delivery: { v: 1, notificationId: 'n-cli', deliveryKey: 'n-cli.0', notification: NOTIFICATION, sendAt: 1, deadline: 2 },
      queuedAt: 1,
      failedAt: 2,
    };
    await p.deadLetters.add('rejected', entry, { jobId: 'n-cli.0' });

    const r = await runCli(['dlq', 'list', '--json'], { REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: 'n-cli.0',
      reason: 'rejected',
      attempts: 1,
      lastError: 'HTTP 200, status 400, invalid parameter',
      notification: NOTIFICATION,
    });
  });

  it('demo runs end to end, prints a summary, exits 0 and leaves none of its keys', async () => {
    prefix = testPrefix();
    const r = await runCli(['demo'], { REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix }, { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/retrying +"Delivered despite two 503s": HTTP 503/);
    expect(r.stdout).toMatch(/dead-lettered "Rejected by the platform": rejected/);
    expect(r.stdout).toContain('Summary');
    expect(r.stdout).toMatch(/delivered +4 of 5 notifications/);
    expect(r.stdout).toMatch(/retries +2\n/);
    expect(r.stdout).toMatch(/dead letters +1: rejected \(HTTP 200, status 400, invalid parameter\)/);
    const demoPrefix = /queue prefix (neupush-demo-[0-9a-f]+)/.exec(r.stdout)?.[1];
    expect(demoPrefix).toBeDefined();
    expect(await keysUnder(demoPrefix as string)).toEqual([]);
    // It used its own prefix, never the configured one.
    expect(await keysUnder(prefix)).toEqual([]);
  }, 70_000);
});
