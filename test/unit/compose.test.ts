import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands/index.js';
import { DEFAULTS, ENV_NAMES } from '../../src/shared/config.js';

/**
 * No Docker engine runs here, so this checks what can be checked without one: the compose file parses and
 * names real commands, flags and variables; the Dockerfile builds with the npm scripts CI runs.
 */
interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  profiles?: string[];
  volumes?: string[];
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
}

const composeText = readFileSync('docker-compose.yml', 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const dockerfile = readFileSync('Dockerfile', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

const readme = readFileSync('README.md', 'utf8');

/** The Configuration table's "read by" column: variable -> the processes that read it. */
const readBy = new Map(
  [...readme.matchAll(/^\| `([A-Z0-9_]+)` \| [^|]+ \| ([a-zA-Z, ]+) \|/gm)].map((m) => [m[1]!, new Set(m[2]!.split(/,\s*/).map((p) => p.toLowerCase()))]),
);

/** Read by the processes, yet deliberately not passed by the compose file, and why. */
const NOT_PASSED: Record<string, string> = {
  REDIS_CLUSTER_NODES: 'the compose file runs its own single Redis',
  REDIS_SENTINELS: 'the compose file runs its own single Redis',
  REDIS_SENTINEL_NAME: 'the compose file runs its own single Redis',
};

/** Compose-level settings (interpolated into the file, never passed to neupush). */
const COMPOSE_ONLY = new Set(['NEUPUSH_API_PUBLISH']);

const program = new Command('neupush');
registerCommands(program);
const cli = new Map(program.commands.map((c) => [c.name(), c]));

describe('docker-compose.yml', () => {
  it('has redis, worker (2 replicas), and behind profiles the dashboard, the api and the sandbox', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'dashboard', 'redis', 'sandbox', 'worker']);
    expect(compose.services.worker?.deploy?.replicas).toBe(2);
    expect(compose.services.worker?.profiles).toBeUndefined();
    // They refuse to start without a token or credentials: behind profiles, a plain `up` never loops them.
    for (const name of ['api', 'dashboard', 'sandbox']) expect(compose.services[name]?.profiles, name).toEqual([name]);
  });

  it('builds one image once (the worker) and every other neupush service reuses it', () => {
    const neupush = Object.entries(compose.services).filter(([name]) => name !== 'redis');
    for (const [name, service] of neupush) expect(service.image, name).toBe('neupush:local');
    expect(neupush.filter(([, service]) => service.build !== undefined).map(([name]) => name)).toEqual(['worker']);
  });

  it('publishes the API, the dashboard and the sandbox on loopback by default', () => {
    const published = (name: string) => compose.services[name]?.ports ?? [];
    expect(published('api')).toEqual(['${NEUPUSH_API_PUBLISH:-127.0.0.1}:8080:8080']);
    expect(published('dashboard')).toEqual(['127.0.0.1:3000:3000']);
    expect(published('sandbox')).toEqual(['127.0.0.1:8090:8090']);
  });

  it("passes every service exactly the variables its process reads (the README's read-by column)", () => {
    for (const variable of ENV_NAMES) expect(readBy.has(variable), `${variable} has a row in README's Configuration table`).toBe(true);
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'redis') continue;
      const reads = ENV_NAMES.filter((v) => readBy.get(v)?.has(name) && !(v in NOT_PASSED));
      expect(Object.keys(service.environment ?? {}).sort(), name).toEqual(reads.sort());
    }
  });

  it('runs Redis with AOF everysec, noeviction and hz 100, on a volume', () => {
    const command = compose.services.redis?.command?.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--hz 100');
    expect(compose.services.redis?.volumes).toEqual(['redis-data:/data']);
    expect(Object.keys(compose.volumes)).toEqual(['redis-data']);
  });

  it('runs neupush commands and flags that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'redis') continue;
      const [command, ...args] = service.command ?? [];
      const cmd = cli.get(command ?? '');
      expect(cmd, `${name}: neupush ${command}`).toBeDefined();
      const flags = new Set(cmd!.options.flatMap((o) => [o.long, o.short].filter(Boolean)));
      for (const arg of args.filter((a) => a.startsWith('-'))) expect(flags.has(arg), `${name}: ${command} ${arg}`).toBe(true);
    }
  });

  it('sets and interpolates only variables neupush reads', () => {
    const known = new Set(ENV_NAMES);
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'redis') continue;
      for (const variable of Object.keys(service.environment ?? {})) expect(known.has(variable), `${name}: ${variable}`).toBe(true);
    }
    const interpolated = [...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!);
    expect(interpolated.length).toBeGreaterThan(10);
    for (const variable of interpolated) expect(known.has(variable) || COMPOSE_ONLY.has(variable), variable).toBe(true);
  });

  it('gives workers longer to stop than NEUPUSH_SHUTDOWN_TIMEOUT_MS and probes /readyz on the metrics port', () => {
    const worker = compose.services.worker!;
    expect(Number.parseInt(worker.stop_grace_period ?? '0', 10) * 1_000).toBeGreaterThan(Number(DEFAULTS.NEUPUSH_SHUTDOWN_TIMEOUT_MS));
    expect(worker.environment?.NEUPUSH_METRICS_PORT).toBe(DEFAULTS.NEUPUSH_METRICS_PORT);
    expect(worker.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${DEFAULTS.NEUPUSH_METRICS_PORT}/readyz`);
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runs = (stage: string) => [...stage.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]!);

  it('is multi-stage on node:24-slim: builds with npm ci && npm run build, runs with production dependencies as node', () => {
    expect(stages).toHaveLength(2);
    expect(stages.every((s) => s.startsWith('node:24-slim'))).toBe(true);
    // --ignore-scripts: the package's `prepare` build would run before the sources are copied.
    expect(runs(stages[0]!)).toEqual(['npm ci --ignore-scripts', 'npm run build']);
    expect(runs(stages[1]!)).toEqual(['npm ci --omit=dev --ignore-scripts && npm cache clean --force']);
    expect(stages[1]).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(stages[1]).toMatch(/^USER node$/m);
    expect(stages[1]).toMatch(/^ENTRYPOINT \["node", "bin\/neupush\.js"\]$/m);
  });

  it('uses the npm scripts and the install command CI uses', () => {
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(readFileSync('.ci/run', 'utf8')).toMatch(/^npm ci$/m);
    for (const copied of [...dockerfile.matchAll(/^COPY (?!--from)(.+) \.\/?\S*$/gm)].flatMap((m) => m[1]!.split(' '))) {
      expect(existsSync(copied), copied).toBe(true);
    }
  });
});
