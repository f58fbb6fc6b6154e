import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../helpers/redis-server.js';
import { waitUntil } from '../../helpers/isolation.js';

export interface SentinelProcess {
  host: string;
  port: number;
  /** The address the Sentinel gives for the master now. */
  master(): Promise<string>;
  stop(): Promise<void>;
}

/** One redis-server in Sentinel mode watching `name` at `master` (quorum 1, failure after 2 s). */
export async function startSentinel(watched: { host: string; port: number }, name = 'mymaster'): Promise<SentinelProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'neupush-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} ${watched.host} ${watched.port} 1`,
      `sentinel down-after-milliseconds ${name} 2000`,
      `sentinel failover-timeout ${name} 10000`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const admin = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  admin.on('error', () => {});
  const master = async () => {
    const [host, p] = (await admin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
    return `${host}:${p}`;
  };
  await waitUntil(
    async () => {
      if (admin.status === 'wait') await admin.connect();
      return (await master()).length > 0;
    },
    { timeoutMs: 15_000, message: 'the Sentinel answers' },
  );
  return {
    host: '127.0.0.1',
    port,
    master,
    async stop() {
      admin.disconnect();
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
