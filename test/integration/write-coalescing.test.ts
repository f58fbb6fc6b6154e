import type { Socket } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { notificationOf } from '../../src/shared/job-data.js';
import { coalesceWrites } from '../../src/shared/write-coalescing.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';
import { useTestRedis } from '../helpers/test-redis.js';

const notification = (title: string) => ({ title, text: 'Order 1042', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] }) as const;

let producer: Producer | undefined;
let prefix: string | undefined;
let client: Redis | undefined;
useTestRedis({
  prefix: () => prefix,
  closeOpened: async () => {
    await producer?.close();
    producer = undefined;
    client?.disconnect();
    client = undefined;
  },
});

async function open(): Promise<Producer> {
  prefix = testPrefix();
  producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix } });
  // The first add loads BullMQ's script (EVALSHA, then EVAL in a later turn): out of the way of the counts.
  await producer.send(notification('warm-up'));
  return producer;
}

/** Counts the socket's system-call writes: one `_write` per chunk, or one `_writev` for what a cork held. */
function countWrites(redis: Redis): () => number {
  const socket = redis.stream as Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = vi.spyOn(socket, '_write');
  const writev = vi.spyOn(socket, '_writev');
  return () => write.mock.calls.length + writev.mock.calls.length;
}

describe('coalesced writes of one-off sends', () => {
  it('twenty sends issued in one turn reach Redis in one socket write, each queued as its own job', async () => {
    const p = await open();
    const writes = countWrites(p.redis as Redis);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => p.send(notification(`n${i}`))));
    expect(writes()).toBe(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(20);
    const queued = await p.deliveries.getJobs(['wait', 'prioritized']);
    const titles = queued.map((j) => notificationOf(j.data).title).filter((t) => t !== 'warm-up');
    expect(titles.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`).sort());
  });

  it('the same twenty adds without it take one write each (what the coalescing saves)', async () => {
    const p = await open();
    const writes = countWrites(p.redis as Redis);
    await Promise.all(Array.from({ length: 20 }, (_, i) => p.deliveries.add('notification', { n: i } as never, { jobId: `raw-${i}` })));
    expect(writes()).toBe(20);
  });

  it('a send alone is not held back: it is written when its turn ends, and the socket is uncorked after', async () => {
    const p = await open();
    const writes = countWrites(p.redis as Redis);
    const result = await p.send(notification('alone'));
    expect(result.jobs).toBe(1);
    expect(writes()).toBe(1);
    expect((p.redis as Redis).stream.writableCorked).toBe(0);
  });

  it('a send refused at the edge corks nothing', async () => {
    const p = await open();
    await expect(p.send({ ...notification('x'), title: '' })).rejects.toThrow(/title/);
    expect((p.redis as Redis).stream.writableCorked).toBe(0);
  });
});

describe('coalesceWrites', () => {
  it('keeps the order of the commands it holds, and corks a socket once per turn', async () => {
    prefix = testPrefix();
    client = new Redis(redisUrl());
    await client.ping();
    const key = `${prefix}:k`;
    coalesceWrites(client);
    coalesceWrites(client);
    expect(client.stream.writableCorked).toBe(1);
    const replies = Promise.all([client.set(key, '1'), client.incr(key), client.get(key)]);
    expect(await replies).toEqual(['OK', 2, '2']);
    expect(client.stream.writableCorked).toBe(0);
  });

  it('commands held when the connection is closed in the same turn settle exactly as they would uncorked', async () => {
    const closeAfterTwo = async (coalesce: boolean) => {
      const c = new Redis(redisUrl());
      await c.ping();
      if (coalesce) coalesceWrites(c);
      const held = Promise.allSettled([c.get('a'), c.get('b')]);
      c.disconnect();
      return (await held).map((r) => r.status);
    };
    const uncorked = await closeAfterTwo(false);
    expect(await closeAfterTwo(true)).toEqual(uncorked);
  });

  it('leaves a Cluster as it is (its commands go to many sockets)', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    expect(() => coalesceWrites(cluster)).not.toThrow();
    cluster.disconnect();
  });
});
