import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inTurn } from '../../src/worker/turn-pipeline.js';
import { claimDelivery, recordSent, releaseClaim } from '../../src/worker/sent-records.js';
import { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../helpers/redis-server.js';

// A private server: the script cases flush its script cache, which must not touch anyone else's.
let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.destroy();
});

describe('inTurn', () => {
  it('commands issued in one turn go in one pipeline, each settling with its own reply', async () => {
    await redis.mset('a', '1', 'b', '2', 'c', 'not a number');
    const pipelines = vi.spyOn(redis, 'pipeline');
    const replies = await Promise.allSettled([
      inTurn(redis, (p) => void p.get('a')),
      inTurn(redis, (p) => void p.incr('c')),
      inTurn(redis, (p) => void p.get('b')),
    ]);
    expect(pipelines).toHaveBeenCalledTimes(1);
    pipelines.mockRestore();
    expect(replies[0]).toEqual({ status: 'fulfilled', value: '1' });
    // One command's error is that command's alone.
    expect(replies[1]).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('not an integer') } });
    expect(replies[2]).toEqual({ status: 'fulfilled', value: '2' });
  });

  it('commands of later turns go in later pipelines', async () => {
    const pipelines = vi.spyOn(redis, 'pipeline');
    expect(await inTurn(redis, (p) => void p.set('d', 'x'))).toBe('OK');
    expect(await inTurn(redis, (p) => void p.get('d'))).toBe('x');
    expect(pipelines).toHaveBeenCalledTimes(2);
    pipelines.mockRestore();
  });

  it('a command whose add throws is rejected alone; the turn goes on', async () => {
    const broken = inTurn(redis, () => {
      throw new Error('no such command');
    });
    const fine = inTurn(redis, (p) => void p.get('a'));
    await expect(broken).rejects.toThrow('no such command');
    expect(await fine).toBe('1');
  });

  it('a connection that cannot send rejects every command of the turn, none left hanging', async () => {
    const closed = new Redis(server.url);
    await closed.ping();
    closed.disconnect();
    const replies = await Promise.allSettled([inTurn(closed, (p) => void p.get('a')), inTurn(closed, (p) => void p.get('b'))]);
    expect(replies).toMatchObject([
      { status: 'rejected', reason: { message: 'Connection is closed.' } },
      { status: 'rejected', reason: { message: 'Connection is closed.' } },
    ]);
  });

  it('claims and records: scripts load on first use and again after the server forgot them', async () => {
    const prefix = 'turn';
    const claims = await Promise.all(['k1', 'k2', 'k3'].map((key) => claimDelivery(redis, prefix, key, 10_000)));
    expect(claims.map((c) => c.state)).toEqual(['claimed', 'claimed', 'claimed']);
    await redis.script('FLUSH');
    // Held by the first claims; the script is sent again (NOSCRIPT is answered by EVAL).
    expect((await claimDelivery(redis, prefix, 'k1', 10_000)).state).toBe('held');
    await Promise.all([recordSent(redis, prefix, 'k1', 60_000), releaseClaim(redis, prefix, 'k2', (claims[1] as { token: string }).token)]);
    const again = await Promise.all(['k1', 'k2', 'k3'].map((key) => claimDelivery(redis, prefix, key, 10_000)));
    expect(again.map((c) => c.state)).toEqual(['sent', 'claimed', 'held']);
  });
});

describe('inTurn on a Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = new Cluster(cluster.nodes);
  }, 60_000);
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  it('a burst of claims and records over keys in many slots: each its own pipeline, every one right', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `delivery-${i}`);
    const claimed = await Promise.all(keys.map((key) => claimDelivery(client, 'turn', key, 10_000)));
    expect(claimed.every((c) => c.state === 'claimed')).toBe(true);
    await Promise.all(keys.map((key) => recordSent(client, 'turn', key, 60_000)));
    const again = await Promise.all(keys.map((key) => claimDelivery(client, 'turn', key, 10_000)));
    expect(again.every((c) => c.state === 'sent')).toBe(true);
  });
});
