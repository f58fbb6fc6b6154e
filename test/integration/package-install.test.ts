import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-cli.js';

const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir: string;
let app: string;
let installLog: string;

/**
 * What a user does without a registry release: `npm pack` (the `prepare` script builds dist/), then
 * `npm install ./neupush-<version>.tgz` in an empty project. The tarball's own dependencies come from the
 * npm cache when they are there (--prefer-offline), else from the registry.
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'neupush-pack-'));
  app = join(dir, 'app');
  await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, timeout: 300_000 });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBe(`neupush-${version}.tgz`);
  await run('mkdir', [app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball!)], { cwd: app, timeout: 600_000 });
  installLog = installed.stdout + installed.stderr;
}, 900_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm pack, then npm install of the tarball in an empty project', () => {
  it('installs without engine warnings and ships only the compiled code', async () => {
    expect(installLog).not.toMatch(/EBADENGINE/);
    const shipped = await readdir(join(app, 'node_modules', 'neupush'));
    expect(shipped.sort()).toEqual(['README.md', 'bin', 'dist', 'package.json']);
  });

  it('npx neupush runs the compiled CLI (--help, --version)', async () => {
    const help = await run('npx', ['--no-install', 'neupush', '--help'], { cwd: app, timeout: 60_000 });
    for (const command of ['send', 'worker', 'dlq', 'campaign', 'sandbox', 'demo']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const v = await run('npx', ['--no-install', 'neupush', '--version'], { cwd: app, timeout: 60_000 });
    expect(v.stdout).toBe(`${version}\n`);
  });

  it("import { Producer } from 'neupush' works in an ESM project", async () => {
    const script = "import { Producer, startWorker, loadConfig } from 'neupush'; console.log([Producer, startWorker, loadConfig].map((x) => typeof x).join(' '));";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, timeout: 60_000 });
    expect(stdout.trim()).toBe('function function function');
  });
});
