import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
// Inside the checkout so the compiled files resolve node_modules as dist/ would; tmp/ is git- and lint-ignored.
const outDir = join('tmp', `build-${randomUUID()}`);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('npm run build (the Dockerfile build stage)', () => {
  it('compiles, and the compiled CLI loads every command under plain Node (no tsx)', async () => {
    await run('npm', ['run', 'build', '--', '--outDir', outDir], { timeout: 120_000 });
    const { stdout } = await run(process.execPath, [join(outDir, 'cli', 'main.js'), '--help'], { timeout: 30_000 });
    for (const command of ['send', 'worker', 'dlq', 'sandbox', 'demo', 'dashboard', 'api']) {
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    // A full tsc build takes about a minute on a loaded 2-core machine: the default 60 s is too tight.
  }, 180_000);
});
