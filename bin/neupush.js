#!/usr/bin/env node
// An installed package has only dist/ (package.json "files"), so it runs the compiled CLI. A checkout has
// src/ too and runs it through tsx, so an edit shows without a rebuild, even though `npm install` there
// builds dist/ (the `prepare` script, which git and tarball installs need); without tsx it uses dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');

async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

const fromSource = existsSync(source) && (await registerTsx());
if (!fromSource && !existsSync(compiled)) {
  process.stderr.write('neupush: neither dist/ nor tsx found next to bin/: run `npm install` (or `npm run build`)\n');
  process.exit(1);
}
await import(pathToFileURL(fromSource ? source : compiled).href);
