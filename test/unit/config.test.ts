import { describe, it, expect } from 'vitest';
import { DEFAULTS, LOCK_DURATION_MS, loadConfig, requireCredentials, type Config } from '../../src/shared/config.js';
import { ConfigError } from '../../src/shared/errors.js';

/** The ConfigError message loadConfig throws for this environment. */
function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('ERR_CONFIG');
    return (err as ConfigError).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig: defaults', () => {
  it('an empty environment gives the defaults, and no credentials', () => {
    const c = loadConfig({});
    expect(c).not.toHaveProperty('appid');
    expect(c).not.toHaveProperty('secret');
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'neupush',
      baseUrl: 'https://qa.neuxnet.com',
      concurrency: 50,
      chunkSize: 100,
      rateLimit: 50,
      attempts: 8,
      backoffMs: 1_000,
      timeoutMs: 10_000,
      maxLatenessMs: 3_600_000,
      shutdownTimeoutMs: 30_000,
      dedupTtlMs: 7 * 86_400_000,
      metricsPort: 9464,
      apiPort: 8080,
      dashboardPort: 3000,
      logLevel: 'info',
    } satisfies Partial<Config>);
  });

  it('the defaults match DEFAULTS (the README table mirrors it)', () => {
    const c = loadConfig({});
    expect(c.chunkSize).toBe(Number(DEFAULTS.NEUPUSH_CHUNK_SIZE));
    expect(c.timeoutMs).toBe(Number(DEFAULTS.NEUPUSH_TIMEOUT_MS));
    expect(c.redisUrl).toBe(DEFAULTS.REDIS_URL);
    expect(c.logLevel).toBe(DEFAULTS.LOG_LEVEL);
  });

  it('an empty string counts as unset', () => {
    const env = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, '']));
    expect(loadConfig({ ...env, NEUXNET_APPID: '', NEUXNET_SECRET: '' })).toStrictEqual(loadConfig({}));
  });

  it('ignores variables it does not own', () => {
    expect(loadConfig({ PATH: '/usr/bin', NEUPUSH_UNKNOWN: 'x' })).toStrictEqual(loadConfig({}));
  });
});

describe('loadConfig: values', () => {
  const cases: { env: NodeJS.ProcessEnv; expected: Partial<Config> }[] = [
    { env: { REDIS_URL: 'rediss://user:pw@redis.internal:6380/2' }, expected: { redisUrl: 'rediss://user:pw@redis.internal:6380/2' } },
    { env: { NEUPUSH_PREFIX: '{np}-prod.1' }, expected: { prefix: '{np}-prod.1' } },
    { env: { NEUXNET_BASE_URL: 'https://api.example.com//' }, expected: { baseUrl: 'https://api.example.com' } },
    { env: { NEUXNET_APPID: 'app', NEUXNET_SECRET: 's3cr3t' }, expected: { appid: 'app', secret: 's3cr3t' } },
    { env: { NEUPUSH_CHUNK_SIZE: '500', NEUPUSH_CONCURRENCY: '8' }, expected: { chunkSize: 500, concurrency: 8 } },
    { env: { NEUPUSH_TIMEOUT_MS: String(LOCK_DURATION_MS / 2) }, expected: { timeoutMs: 15_000 } },
    { env: { NEUPUSH_MAX_LATENESS: '15m' }, expected: { maxLatenessMs: 900_000 } },
    { env: { NEUPUSH_MAX_LATENESS: '1h30m' }, expected: { maxLatenessMs: 5_400_000 } },
    { env: { NEUPUSH_MAX_LATENESS: '90000' }, expected: { maxLatenessMs: 90_000 } },
    { env: { NEUPUSH_DEDUP_TTL: '2d' }, expected: { dedupTtlMs: 172_800_000 } },
    { env: { NEUPUSH_METRICS_PORT: '0' }, expected: { metricsPort: 0 } },
    { env: { LOG_LEVEL: 'silent' }, expected: { logLevel: 'silent' } },
    { env: { NEUPUSH_API_TOKEN: 't', NEUPUSH_DASHBOARD_USER: 'u', NEUPUSH_DASHBOARD_PASSWORD: 'p' }, expected: { apiToken: 't', dashboardUser: 'u', dashboardPassword: 'p' } },
  ];

  it.each(cases)('$env', ({ env, expected }) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  it('overrides win over the environment', () => {
    expect(loadConfig({ NEUPUSH_CHUNK_SIZE: '10' }, { chunkSize: 3, prefix: 'test-x' })).toMatchObject({ chunkSize: 3, prefix: 'test-x' });
  });
});

describe('loadConfig: each bad variable is named', () => {
  const cases: { env: NodeJS.ProcessEnv; message: string }[] = [
    { env: { NEUPUSH_CHUNK_SIZE: 'abc' }, message: 'NEUPUSH_CHUNK_SIZE must be a whole number' },
    { env: { NEUPUSH_CHUNK_SIZE: '0' }, message: 'NEUPUSH_CHUNK_SIZE must be between 1 and 10000' },
    { env: { NEUPUSH_CHUNK_SIZE: '-5' }, message: 'NEUPUSH_CHUNK_SIZE must be a whole number' },
    { env: { NEUPUSH_CONCURRENCY: '1.5' }, message: 'NEUPUSH_CONCURRENCY must be a whole number' },
    { env: { NEUPUSH_TIMEOUT_MS: '20000' }, message: `NEUPUSH_TIMEOUT_MS must be between 100 and ${LOCK_DURATION_MS / 2}` },
    { env: { NEUPUSH_TIMEOUT_MS: '50' }, message: 'NEUPUSH_TIMEOUT_MS must be between 100 and 15000' },
    { env: { NEUPUSH_ATTEMPTS: '0' }, message: 'NEUPUSH_ATTEMPTS must be between 1 and 100' },
    { env: { NEUPUSH_RATE_LIMIT: 'fast' }, message: 'NEUPUSH_RATE_LIMIT must be a whole number' },
    { env: { NEUPUSH_BACKOFF_MS: '1s' }, message: 'NEUPUSH_BACKOFF_MS must be a whole number' },
    { env: { NEUPUSH_METRICS_PORT: '70000' }, message: 'NEUPUSH_METRICS_PORT must be between 0 and 65535' },
    { env: { REDIS_URL: '127.0.0.1:6379' }, message: 'REDIS_URL must start with redis:// or rediss://' },
    { env: { REDIS_URL: 'http://127.0.0.1:6379' }, message: 'REDIS_URL must start with redis:// or rediss://' },
    { env: { NEUPUSH_MAX_LATENESS: 'soon' }, message: 'NEUPUSH_MAX_LATENESS must be a duration like 90s, 15m, 1h or a number of ms' },
    { env: { NEUPUSH_MAX_LATENESS: '0' }, message: 'NEUPUSH_MAX_LATENESS must be a duration like 90s, 15m, 1h or a number of ms' },
    { env: { NEUPUSH_DEDUP_TTL: '7 days' }, message: 'NEUPUSH_DEDUP_TTL must be a duration like 90s, 15m, 1h or a number of ms' },
    { env: { LOG_LEVEL: 'loud' }, message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' },
    { env: { NEUPUSH_PREFIX: 'neu:push' }, message: 'NEUPUSH_PREFIX may hold letters, digits, _ . - and a {hash tag}, no colon' },
    { env: { NEUXNET_BASE_URL: 'qa.neuxnet.com' }, message: 'NEUXNET_BASE_URL must be an http(s) URL' },
  ];

  it.each(cases)('$env', ({ env, message }) => {
    expect(configError(env)).toBe(`Invalid configuration: ${message}`);
  });

  it('names every bad variable at once', () => {
    const message = configError({ NEUPUSH_CHUNK_SIZE: 'abc', LOG_LEVEL: 'loud' });
    expect(message).toContain('NEUPUSH_CHUNK_SIZE');
    expect(message).toContain('LOG_LEVEL');
  });
});

describe('loadConfig: the result', () => {
  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as Config).chunkSize = 1;
    }).toThrow(TypeError);
  });
});

describe('requireCredentials', () => {
  it.each([
    { env: {}, message: 'NEUXNET_APPID and NEUXNET_SECRET must be set to send notifications' },
    { env: { NEUXNET_SECRET: 's' }, message: 'NEUXNET_APPID must be set to send notifications' },
    { env: { NEUXNET_APPID: 'a' }, message: 'NEUXNET_SECRET must be set to send notifications' },
    { env: { NEUXNET_APPID: 'a', NEUXNET_SECRET: '' }, message: 'NEUXNET_SECRET must be set to send notifications' },
  ])('$env -> $message', ({ env, message }) => {
    expect(() => requireCredentials(loadConfig(env))).toThrow(new ConfigError(message));
  });

  it('returns both when set', () => {
    expect(requireCredentials(loadConfig({ NEUXNET_APPID: 'a', NEUXNET_SECRET: 's' }))).toEqual({ appid: 'a', secret: 's' });
  });
});
