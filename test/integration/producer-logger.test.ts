import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { createLogger } from '../../src/shared/logger.js';
import { createLogCapture } from '../helpers/log-capture.js';
import { testPrefix, waitUntil } from '../helpers/isolation.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

describe('Producer.create({ logger })', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('logs its connection errors there, once per streak, and the connection coming back', async () => {
    const capture = createLogCapture();
    const logger = createLogger({ level: 'info', destination: capture });
    const producer = await Producer.create({ env: {}, config: { redisUrl: server.url, prefix: testPrefix() }, logger });
    try {
      await server.stop();
      await waitUntil(() => capture.lines().some((l) => l.msg === 'Redis connection error'), { message: 'a logged connection error' });
      await server.restart();
      await waitUntil(() => capture.lines().some((l) => l.msg === 'Redis connection ready again'), { message: 'the connection back' });
      const errors = capture.lines().filter((l) => l.msg === 'Redis connection error');
      expect(errors[0]).toMatchObject({ level: 40, err: { type: expect.any(String), message: expect.any(String), stack: expect.any(String) } });
      // ioredis reports a refused reconnect every 200 ms to 2 s; the same message is logged once.
      expect(new Set(errors.map((l) => (l.err as { message: string }).message)).size).toBe(errors.length);
    } finally {
      await producer.close();
    }
  });
});
