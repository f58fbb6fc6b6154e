import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../shared/free-port.js';
import { pingRedis } from '../../shared/redis.js';

export interface DemoRedis {
  url: string;
  /** Set when the demo started its own redis-server. */
  privateServer?: { pid: number; dir: string };
  /** Stops the private redis-server and removes its dir; nothing for a Redis the demo did not start. */
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 10_000;
const STOP_DEADLINE_MS = 5_000;

export const HOW_TO_GET_REDIS = [
  'The demo needs Redis >= 6.2. Any one of these works:',
  '  - start one in Docker:  docker run -d --name neupush-redis -p 6379:6379 redis:7',
  '  - install redis-server (the demo then starts a private one by itself):',
  '      Debian/Ubuntu: sudo apt-get install redis-server    macOS: brew install redis',
  '  - point at an existing one:  REDIS_URL=redis://host:6379 npm start',
].join('\n');

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A private, throwaway redis-server: a free port on 127.0.0.1, a temp dir, no persistence. It is killed
 * when this process exits, however it exits, so a crashed demo leaves no server behind.
 */
async function startPrivateRedis(): Promise<DemoRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'neupush-demo-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', (e) => reject(new Error(`could not run redis-server: ${e.message}`, { cause: e })));
    child.once('exit', (code) => reject(new Error(`redis-server exited at start (code ${code}) ${stderr}`)));
  });
  failed.catch(() => {});

  const stop = async () => {
    process.off('exit', killOnExit);
    const exited = waitForExit(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };

  const ready = (async () => {
    const deadline = Date.now() + START_DEADLINE_MS;
    while (Date.now() < deadline) {
      if (await pingRedis(url, 500)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the private redis-server at ${url} did not answer within ${START_DEADLINE_MS} ms`);
  })();
  try {
    await Promise.race([ready, failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, privateServer: { pid: child.pid ?? -1, dir }, stop };
}

function redisServerOnPath(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    probe.once('error', () => resolve(false));
    probe.once('exit', (code) => resolve(code === 0));
  });
}

/** The configured Redis when it answers; else a private redis-server when one is installed; else a clear error. */
export async function redisForDemo(configuredUrl: string): Promise<DemoRedis> {
  if (await pingRedis(configuredUrl)) return { url: configuredUrl, stop: async () => {} };
  if (await redisServerOnPath()) return startPrivateRedis();
  throw new Error(`No Redis answered at ${redactPassword(configuredUrl)}, and redis-server is not installed.\n${HOW_TO_GET_REDIS}`);
}

export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '<unparseable REDIS_URL>';
  }
}
