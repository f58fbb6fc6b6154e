import { readFileSync } from 'node:fs';

/**
 * neupush's version from its package.json, the nearest one named `neupush` above this file: two levels
 * up from src/cli/ and dist/cli/, more from a build into another directory (test/integration/build.test.ts).
 */
export function packageVersion(): string {
  for (let url = new URL('../', import.meta.url); url.pathname !== '/'; url = new URL('../', url)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'neupush' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here, or not ours: keep climbing.
    }
  }
  return '0.0.0';
}
