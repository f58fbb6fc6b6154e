#!/usr/bin/env node
// Fails when a file imports across a layer boundary (the floors are drawn in the README's Design section):
// neuxnet/ is the ground and imports nothing of ours; shared/ stands on it; producer/, worker/, dashboard/
// and sandbox/ stand on both and never import each other; cli/ and src/index.ts are the top.
// Regex over the source is enough here: specifiers are string literals in import/export/import().
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** layer -> layers it must not import. '.' is a file directly in src/, such as index.ts. */
const TOP = ['cli', '.'];
const SIDES = ['producer', 'worker', 'dashboard', 'sandbox'];
const FORBIDDEN = {
  neuxnet: ['shared', ...SIDES, ...TOP],
  shared: [...SIDES, ...TOP],
  ...Object.fromEntries(SIDES.map((side) => [side, [...SIDES.filter((other) => other !== side), ...TOP]])),
};
const KNOWN = new Set([...Object.keys(FORBIDDEN), ...TOP]);

// Static `import ... from '...'` / `export ... from '...'`: nothing between keyword and `from` may be a
// string, a statement end, parentheses or `=`, so one statement's match cannot run into the next.
const STATIC = /^\s*(?:import|export)\b[^'"`;()=]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function* tsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (/\.(c|m)?ts$/.test(entry.name)) yield path;
  }
}

function layerOf(path) {
  const parts = relative(src, path).split(sep);
  if (parts[0] === '..') return null;
  return parts.length === 1 ? '.' : parts[0];
}

function specifiers(code) {
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [STATIC, SIDE_EFFECT, DYNAMIC].flatMap((re) => [...stripped.matchAll(re)].map((m) => m[1]));
}

const offenders = [];
for (const file of tsFiles(src)) {
  const layer = layerOf(file);
  // A new folder must be placed on a floor here before it can hold code.
  if (!KNOWN.has(layer)) offenders.push(`${relative(root, file)} is in src/${layer}, which is on no floor`);
  const forbidden = FORBIDDEN[layer] ?? [];
  for (const spec of specifiers(readFileSync(file, 'utf8'))) {
    if (!spec.startsWith('.')) continue;
    const target = layerOf(resolve(dirname(file), spec));
    if (target !== null && forbidden.includes(target)) {
      offenders.push(`${relative(root, file)} imports '${spec}' (${target === '.' ? 'src root' : `src/${target}`})`);
    }
  }
}

if (offenders.length > 0) {
  console.error(`check-layers: ${offenders.length} import(s) cross a layer boundary:`);
  for (const line of offenders) console.error(`  ${line}`);
  process.exit(1);
}
console.log('check-layers: ok');
