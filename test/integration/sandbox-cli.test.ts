import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxBanner } from '../../src/cli/commands/sandbox.js';
import { Producer } from '../../src/producer/producer.js';
import { loadConfig, requireCredentials } from '../../src/shared/config.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix, waitUntil } from '../helpers/isolation.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'neupush.js');
const APPID = 'banner-app';
const SECRET = 'banner-s3cret-value';

interface Running {
  child: ChildProcess;
  output(): string;
}

const children: ChildProcess[] = [];

/** `node bin/neupush.js ...` with exactly `env` (plus PATH and HOME). */
function run(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * The `NAME=value` assignments before `neupush worker` in the banner, expanded as a shell would with `env`:
 * plain words, single-quoted words and "$VAR" are all the banner prints.
 */
function assignments(command: string, env: Record<string, string>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of command.matchAll(/([A-Z_]+)=("\$([A-Z_]+)"|'([^']*)'|(\S+))/g)) {
    const [, name, , variable, quoted, plain] = match;
    found[name as string] = variable !== undefined ? (env[variable] ?? '') : (quoted ?? plain ?? '');
  }
  return found;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map(stop));
});

describe('neupush sandbox banner', () => {
  it('names every variable the worker requires, and never prints the secret', () => {
    const banner = sandboxBanner('http://127.0.0.1:8787', APPID);
    const required = (() => {
      try {
        requireCredentials(loadConfig({}));
        return [];
      } catch (error) {
        return (error as Error).message.match(/\b[A-Z][A-Z_]+\b/g) ?? [];
      }
    })();
    expect(required).toEqual(expect.arrayContaining(['NEUXNET_APPID', 'NEUXNET_SECRET']));
    const named = Object.keys(assignments(banner, {}));
    for (const name of [...required, 'NEUXNET_BASE_URL']) expect(named, name).toContain(name);
    expect(banner).toContain('NEUXNET_BASE_URL=http://127.0.0.1:8787 neupush worker');
    expect(sandboxBanner('http://[::1]:8787', "it's")).toContain(`NEUXNET_APPID='it'\\''s'`);
  });

  it('the printed worker command, run as printed, delivers through the sandbox', async () => {
    const prefix = testPrefix();
    const redis = new Redis(redisUrl());
    const sandboxEnv = { NEUXNET_APPID: APPID, NEUXNET_SECRET: SECRET };
    const sandbox = run(['sandbox', '--port', '0'], sandboxEnv);
    let producer: Producer | undefined;
    try {
      await waitUntil(() => sandbox.output().includes('stats: GET'), { timeoutMs: 30_000, message: `the banner:\n${sandbox.output()}` });
      const banner = sandbox.output();
      expect(banner).not.toContain(SECRET);
      const line = banner.split('\n').find((l) => l.includes('neupush worker')) ?? '';
      const command = line.slice(line.indexOf(':') + 1, line.indexOf('neupush worker'));
      // The shell the user types it into holds what the sandbox was started with.
      const printed = assignments(command, sandboxEnv);
      expect(printed).toMatchObject({ NEUXNET_APPID: APPID, NEUXNET_SECRET: SECRET });
      const url = printed.NEUXNET_BASE_URL as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      const worker = run(['worker'], { ...printed, REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix, NEUPUSH_METRICS_PORT: '0' });
      producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix } });
      await producer.send({ title: 'Banner', text: 'Works as printed', navigateType: 2, url: 'https://example.com', openIds: ['u-1'] });
      const accepted = async () => ((await (await fetch(`${url}/_sandbox/stats`)).json()) as { accepted: number }).accepted;
      await waitUntil(async () => (await accepted()) === 1, { timeoutMs: 30_000, message: `a delivery accepted:\n${worker.output()}` });
    } finally {
      await producer?.close();
      await Promise.all(children.splice(0).map(stop));
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
