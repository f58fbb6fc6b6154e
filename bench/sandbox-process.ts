/**
 * The sendNotify stand-in in a process of its own, so it does not share an event loop with the code being
 * measured: `node --import tsx bench/sandbox-process.ts` with NEUXNET_APPID/NEUXNET_SECRET in the
 * environment. It prints `{"url":"..."}` on its first line and keeps no record of what it accepted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from '../src/sandbox/server.js';

export interface SandboxProcess {
  url: string;
  /** sendNotify requests answered so far (GET /_sandbox/stats). */
  requests(): Promise<number>;
  close(): Promise<void>;
}

export async function spawnSandbox(appid: string, secret: string): Promise<SandboxProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, NEUXNET_APPID: appid, NEUXNET_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code} before it listened`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    async requests() {
      const stats = (await (await fetch(`${url}/_sandbox/stats`)).json()) as { requests: number };
      return stats.requests;
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sandbox = await startSandbox({
    appid: process.env.NEUXNET_APPID ?? '',
    secret: process.env.NEUXNET_SECRET ?? '',
    recordAccepted: false,
  });
  process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
  process.once('SIGTERM', () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
