import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { startWorker } from '../../src/worker/worker.js';
import { EvictionPolicyError } from '../../src/worker/eviction-policy.js';
import { createLogCapture } from '../helpers/log-capture.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { testPrefix } from '../helpers/isolation.js';

let evicting: RedisServer;
beforeAll(async () => {
  evicting = await startRedisServer({ args: ['--maxmemory-policy', 'allkeys-lru'] });
});
afterAll(async () => {
  await evicting?.destroy();
});

const config = () => ({
  redisUrl: evicting.url,
  prefix: testPrefix(),
  appid: 'app-evict',
  secret: 'secret-evict',
  baseUrl: 'http://127.0.0.1:9',
  metricsPort: 0,
});

describe('Redis maxmemory-policy check at worker start', () => {
  it('refuses to start on allkeys-lru, saying why and how to fix it', async () => {
    const logs = createLogCapture();
    const start = startWorker({ env: {}, config: config(), logger: createLogger({ destination: logs }) });
    await expect(start).rejects.toBeInstanceOf(EvictionPolicyError);
    await expect(start).rejects.toThrow(/maxmemory-policy is allkeys-lru.*noeviction.*NEUPUSH_ALLOW_EVICTION=true/s);
  });

  it('with NEUPUSH_ALLOW_EVICTION=true starts with an error-level warning', async () => {
    const logs = createLogCapture();
    const handle = await startWorker({
      env: { NEUPUSH_ALLOW_EVICTION: 'true' },
      config: config(),
      logger: createLogger({ destination: logs }),
    });
    try {
      expect(handle.config.allowEviction).toBe(true);
      expect(handle.worker.isRunning()).toBe(true);
      const warning = logs.lines().find((l) => l.policy === 'allkeys-lru');
      expect(warning).toMatchObject({ level: 50 });
      expect(String(warning?.msg)).toContain('can be silently evicted');
    } finally {
      await handle.close();
    }
  });

  it('where CONFIG is refused (as on managed Redis) starts with a warning that it could not check', async () => {
    const managed = await startRedisServer({ args: ['--rename-command', 'CONFIG', ''] });
    const logs = createLogCapture();
    try {
      const handle = await startWorker({
        env: {},
        config: { ...config(), redisUrl: managed.url },
        logger: createLogger({ destination: logs }),
      });
      await handle.close();
      const warning = logs.lines().find((l) => String(l.msg).startsWith('could not check Redis maxmemory-policy'));
      expect(warning).toMatchObject({ level: 40 });
      expect(String(warning?.why)).toMatch(/CONFIG GET was refused/);
    } finally {
      await managed.destroy();
    }
  });
});
