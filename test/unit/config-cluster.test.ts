import { describe, expect, it } from 'vitest';
import { hasHashTag, loadConfig } from '../../src/shared/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import { clusterOptions, sentinelOptions } from '../../src/shared/redis.js';

describe('REDIS_CLUSTER_NODES', () => {
  it('is unset by default: a standalone Redis at REDIS_URL', () => {
    expect(loadConfig({}).redisClusterNodes).toBeUndefined();
  });

  it('parses host:port seed nodes, with a hash-tagged prefix', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000, 10.0.0.2:7001,[::1]:7002', NEUPUSH_PREFIX: '{neupush}' });
    expect(config.redisClusterNodes).toEqual([
      { host: 'redis-a', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
  });

  it.each(['redis-a', 'redis-a:', 'redis-a:7000,', 'redis-a:99999', 'a:1 b:2'])('refuses %j with a message naming the variable', (value) => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: value, NEUPUSH_PREFIX: '{neupush}' })).toThrow(
      /REDIS_CLUSTER_NODES must be a comma-separated list of host:port/,
    );
  });

  it.each(['neupush', '{}neupush', 'neu{push', 'neupush}'])('refuses the prefix %j without a hash tag, naming NEUPUSH_PREFIX', (prefix) => {
    const load = () => loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000', NEUPUSH_PREFIX: prefix });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/NEUPUSH_PREFIX .* needs a hash tag such as \{/);
  });

  it('checks the prefix given as an override too', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000' }, { prefix: 'plain' })).toThrow(/needs a hash tag/);
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000' }, { prefix: 'app-{push}' }).prefix).toBe('app-{push}');
  });

  it.each([
    ['{neupush}', true],
    ['app-{neupush}-eu', true],
    ['{a}{b}', true],
    ['neupush', false],
    ['{}', false],
    ['{}{neupush}', false],
  ])('hasHashTag(%j) is %s (Redis hashes the first {...} only when it is not empty)', (prefix, expected) => {
    expect(hasHashTag(prefix)).toBe(expected);
  });
});

describe('clusterOptions', () => {
  it('takes user, password and TLS from REDIS_URL; workers wait, producers fail fast', () => {
    const worker = clusterOptions('rediss://app:p%40ss@ignored.example:6380', 'worker');
    expect(worker.redisOptions).toMatchObject({ username: 'app', password: 'p@ss', tls: {}, maxRetriesPerRequest: null });
    expect(worker.enableOfflineQueue).toBe(true);
    expect(typeof worker.dnsLookup).toBe('function');
    const producer = clusterOptions('redis://127.0.0.1:6379', 'producer');
    expect(producer.redisOptions).toMatchObject({ maxRetriesPerRequest: 1 });
    expect(producer.redisOptions?.tls).toBeUndefined();
    expect(producer.enableOfflineQueue).toBe(false);
  });
});

describe('REDIS_SENTINELS', () => {
  it('is unset by default; the master name defaults to mymaster', () => {
    const config = loadConfig({});
    expect(config.redisSentinels).toBeUndefined();
    expect(config.redisSentinelName).toBe('mymaster');
  });

  it('parses the Sentinels and the master name', () => {
    const config = loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'push' });
    expect(config.redisSentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ]);
    expect(config.redisSentinelName).toBe('push');
  });

  it('refuses a malformed list, naming the variable', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINELS must be a comma-separated list of host:port/);
  });

  it('refuses Sentinels and a cluster together', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_CLUSTER_NODES: 'c1:7000', NEUPUSH_PREFIX: '{n}' })).toThrow(
      /set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both/,
    );
  });

  it('sends the credentials and TLS of REDIS_URL to the master', () => {
    const options = sentinelOptions('rediss://:secret@ignored:6379', [{ host: 's1', port: 26379 }], 'push', 'worker');
    expect(options).toMatchObject({ name: 'push', password: 'secret', tls: {}, enableTLSForSentinelMode: true, maxRetriesPerRequest: null });
    expect(sentinelOptions('redis://ignored:6379', [{ host: 's1', port: 26379 }], 'push', 'producer')).toMatchObject({
      enableOfflineQueue: false,
    });
  });
});
