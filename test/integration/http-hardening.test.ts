import { once } from 'node:events';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { campaignKeys } from '../../src/shared/campaign-keys.js';
import { ConfigError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';
import { keySnapshot } from '../helpers/key-snapshot.js';

const TOKEN = 'tok-9c1e5a7b3d2f4e6a8b0c1d3e5f7a9b2c';
const IDLE_MS = 400;
const silent = () => createLogger({ level: 'silent' });

let api: Api;
let redis: Redis;
const prefix = testPrefix();

beforeAll(async () => {
  redis = new Redis(redisUrl());
  api = await startApi({
    env: {},
    config: { redisUrl: redisUrl(), prefix, apiToken: TOKEN, chunkSize: 1 },
    port: 0,
    host: '127.0.0.1',
    logger: silent(),
  });
});

afterAll(async () => {
  await api?.close();
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

async function call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...extra },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, size: text.length, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const notification = (title: string) => ({ title, text: 'x', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2', 'u-3'] });

describe('HTTP intake API edges', () => {
  it('GET and DELETE /v1/campaigns/X:chunks answer 400 naming id, and write no key', async () => {
    const created = await call('POST', '/v1/campaigns', {
      id: 'X',
      notification: { title: 'Sale', text: 'x', navigateType: 1, language: 'en_US' },
      recipients: ['u-1'],
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(created.status).toBe(202);
    const before = await keySnapshot(redis, prefix);
    for (const method of ['GET', 'DELETE']) {
      const res = await call(method, '/v1/campaigns/X%3Achunks');
      expect(res.status, method).toBe(400);
      expect(res.body?.issues).toEqual([{ field: 'id', rule: 'must be 1 to 100 letters, digits, _ . - (starting with a letter or digit)' }]);
    }
    expect(await keySnapshot(redis, prefix)).toEqual(before);
    expect(await redis.pttl(campaignKeys(prefix, 'X').chunks)).toBe(-1);
    expect((await call('POST', '/v1/dead-letters/redrive', { ids: ['a:b'] })).body?.issues).toEqual([
      { field: 'ids.0', rule: expect.stringMatching(/^must be 1 to 200 letters/) },
    ]);
  });

  it('two concurrent requests with one Idempotency-Key and different bodies: one 202, one 409, chunks of one only', async () => {
    const headers = { 'idempotency-key': 'order-99' };
    const [a, b] = await Promise.all([
      call('POST', '/v1/notifications', { notification: notification('A') }, headers),
      call('POST', '/v1/notifications', { notification: notification('B') }, headers),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const winner = a.status === 202 ? a : b;
    expect(winner.body).toMatchObject({ jobs: 3, duplicate: false });
    const loser = a.status === 202 ? b : a;
    expect(loser.body).toEqual({ error: 'Idempotency key "order-99" was already used with a different request' });
    const title = winner === a ? 'A' : 'B';
    const again = await call('POST', '/v1/notifications', { notification: notification(title) }, headers);
    expect(again).toMatchObject({ status: 202, body: { ...winner.body, duplicate: true } });
  });

  it('20,000 bad openIds: 400 listing 20 issues and the count, not megabytes', async () => {
    const bad = { title: 't', text: 'x', navigateType: 1, language: 'en_US', openIds: Array.from({ length: 20_000 }, () => 'a,b') };
    const res = await call('POST', '/v1/notifications', { notification: bad });
    expect(res.status).toBe(400);
    expect(res.body?.issues).toHaveLength(20);
    expect(res.body?.issueCount).toBe(20_000);
    expect(String(res.body?.error)).toMatch(/\(and 19980 more\)$/);
    expect(res.size).toBeLessThan(10_000);
  });

  it('an authenticated request whose body stops arriving is cut off after the idle timeout', async () => {
    // An API of its own: with so short an idle timeout, the other tests' keep-alive connections would race it.
    const idle = await startApi({
      env: {},
      config: { redisUrl: redisUrl(), prefix, apiToken: TOKEN, apiIdleTimeoutMs: IDLE_MS },
      port: 0,
      host: '127.0.0.1',
      logger: silent(),
    });
    const { port } = new URL(idle.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /v1/notifications HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"notification":',
    );
    socket.resume();
    const closed = once(socket, 'close');
    const bound = new Promise((_, reject) => setTimeout(() => reject(new Error('the idle connection was not closed')), 20_000).unref());
    try {
      await Promise.race([closed, bound]);
      expect(socket.destroyed).toBe(true);
    } finally {
      socket.destroy();
      await idle.close();
    }
  });

  it('refuses to start with a token under 16 characters, unless --insecure on 127.0.0.1', async () => {
    const config = { redisUrl: redisUrl(), prefix, apiToken: 'short-token' };
    await expect(startApi({ env: {}, config, port: 0, logger: silent() })).rejects.toThrow(ConfigError);
    await expect(startApi({ env: {}, config, port: 0, logger: silent() })).rejects.toThrow(/^NEUPUSH_API_TOKEN must be at least 16 characters/);
    await expect(startApi({ env: {}, config, port: 0, insecure: true, host: '0.0.0.0', logger: silent() })).rejects.toThrow(/127\.0\.0\.1 only/);
    const local = await startApi({ env: {}, config, port: 0, insecure: true, logger: silent() });
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await local.close();
  });
});
