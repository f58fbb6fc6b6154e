import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, ENV_NAMES, loadConfig } from '../../src/shared/config.js';

/** The README's configuration table: variable -> its default column, as written. */
function readmeDefaults(): Map<string, string> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)) rows.set(m[1] as string, (m[2] as string).trim());
  return rows;
}

describe('defaults', () => {
  it('the README table shows every variable with its DEFAULTS value, or unset', () => {
    const rows = readmeDefaults();
    expect([...rows.keys()].sort()).toEqual([...ENV_NAMES].sort());
    const defaults: Record<string, string> = DEFAULTS;
    for (const name of ENV_NAMES) {
      const value = defaults[name];
      expect([name, rows.get(name)]).toEqual([name, value ? `\`${value}\`` : 'unset']);
    }
  });

  it('an empty environment parses DEFAULTS like set values', () => {
    const set = loadConfig(Object.fromEntries(Object.entries(DEFAULTS).filter(([, v]) => v !== '')));
    expect(loadConfig({})).toEqual(set);
    expect(loadConfig({})).toMatchObject({ maxLatenessMs: 3_600_000, dedupTtlMs: 7 * 86_400_000, concurrency: 50, allowEviction: false });
  });
});
