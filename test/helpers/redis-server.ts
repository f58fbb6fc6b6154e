import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../src/shared/free-port.js';
import { pingRedis } from '../../src/shared/redis.js';

export { freePort, pingRedis };

const execFileAsync = promisify(execFile);

export interface RedisServerOptions {
  /** TCP port on 127.0.0.1. Default: a free port chosen by the OS. */
  port?: number;
  /**
   * Extra redis-server arguments, appended after the defaults (`--save "" --appendonly no`), so a later
   * `--appendonly yes` wins. Default: none.
   */
  args?: string[];
  /** Working directory (RDB/AOF files, nodes.conf). Default: a fresh temp dir, removed by `destroy()`. */
  dir?: string;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Pid of the current process; changes after `restart()`. */
  readonly pid: number;
  readonly dir: string;
  /** Sends `signal` (default SIGTERM; SIGKILL simulates a crash) and waits for the exit. Keeps `dir`. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the server if it is running, then starts it again on the same port and dir. */
  restart(): Promise<void>;
  /** Stops the server and removes `dir` if this helper created it. */
  destroy(): Promise<void>;
}

const STOP_DEADLINE_MS = 10_000;
const START_DEADLINE_MS = 15_000;

// A redis-server outlives a test process that dies without teardown; kill what is left on exit.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'neupush-redis-')));
  const port = options.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    ...(options.args ?? []),
  ];

  let child: ChildProcess;
  try {
    child = await launch(args, url);
  } catch (err) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    await kill(child, signal);
  };

  return {
    url,
    port,
    get pid() {
      return child.pid ?? -1;
    },
    dir,
    stop,
    async restart() {
      await stop();
      child = await launch(args, url);
    },
    async destroy() {
      await stop();
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function launch(args: string[], url: string): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  let gone = false;
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<never>((_resolve, reject) => {
    child.once('error', (err) => reject(new Error(`could not run redis-server: ${err.message}`, { cause: err })));
    child.once('exit', (code, signal) => {
      gone = true;
      running.delete(child);
      reject(new Error(`redis-server exited early (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  exited.catch(() => {}); // only awaited while starting

  const deadline = Date.now() + START_DEADLINE_MS;
  // PING answers -LOADING while an AOF is replayed, so "ready" means a PONG.
  const ready = (async () => {
    while (!gone && Date.now() < deadline) {
      if (await pingRedis(url, 500)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server at ${url} did not answer PING within ${START_DEADLINE_MS} ms:\n${output}`);
  })();

  try {
    await Promise.race([ready, exited]);
  } catch (err) {
    await kill(child, 'SIGKILL');
    throw err;
  }
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exit;
  clearTimeout(timer);
  running.delete(child);
}

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  servers: RedisServer[];
  /** Stops every node and removes their temp dirs. */
  stop(): Promise<void>;
}

/** Starts `masters` cluster-enabled redis-servers (no replicas) and waits for cluster_state:ok. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(servers.map((server) => server.destroy()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      // The bus port defaults to port + 10000, which may be taken or above 65535 for an OS-chosen port.
      const busPort = await freePort();
      servers.push(
        await startRedisServer({
          args: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', '5000',
            '--cluster-port', String(busPort),
          ],
        }),
      );
    }
    const nodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
    await execFileAsync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    for (const server of servers) await waitForClusterOk(server.url);
    return { nodes, servers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForClusterOk(url: string, timeoutMs = 30_000): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = String(await redis.call('CLUSTER', 'INFO'));
      if (info.includes('cluster_state:ok')) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`cluster node ${url} did not reach cluster_state:ok within ${timeoutMs} ms`);
  } finally {
    redis.disconnect();
  }
}
