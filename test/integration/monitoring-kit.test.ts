import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { freePort } from '../helpers/redis-server.js';

/**
 * deploy/: the Grafana dashboard, the Prometheus rules and config, and the compose override. No Docker
 * engine runs here, so what can be checked without one is: promtool accepts the rules and config and
 * their unit tests pass, every metric they and the dashboard name is one a real worker serves, and the
 * files agree with each other and with docker-compose.yml.
 */

const run = promisify(execFile);

const PROMTOOL = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'promtool')).find((p) => existsSync(p));
const IN_CI = process.env.CI === 'true';
if (!PROMTOOL && !IN_CI) {
  console.warn(
    '\n*** SKIPPING the promtool checks of deploy/prometheus: promtool is missing. Install it with ' +
      '`apt-get install -y prometheus` (.ci/run does) to run them. ***\n',
  );
}

async function promtool(...args: string[]): Promise<string> {
  if (!PROMTOOL) throw new Error('promtool is missing and CI=true: .ci/run installs it with `apt-get install -y prometheus`');
  try {
    const { stdout, stderr } = await run(PROMTOOL, args);
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { uid?: string };
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface ComposeService {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  expose?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/neupush.json', 'utf8')) as {
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
};
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const variableQuery = (v: Variable) => (typeof v.query === 'string' ? v.query : v.query.query);
const rules = (parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const readYaml = <T>(path: string) => parse(readFileSync(path, 'utf8'), { merge: true }) as T;

/** Every PromQL expression the kit evaluates: the rules', the panels' and the variables' (label_values). */
const expressions: { where: string; expr: string }[] = [
  ...rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
  ...queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr ?? '' }))),
  ...dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable $${v.name}`, expr: variableQuery(v).replace(/^label_values\((.*),\s*\w+\)$/, '$1') })),
];

/** Grafana's variables replaced by what they stand for, so promtool can parse the dashboard's queries. */
const asPromql = (expr: string) =>
  expr.replace(/\$__rate_interval|\$__range/g, '5m').replace(/\$\{?(\w+)\}?/g, '.*');

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: not functions, keywords, labels, durations or numbers. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const [token] of bare.matchAll(/\d[\w.]*|[A-Za-z_:][\w:]*(?:\s*\()?/g)) {
    if (/^\d/.test(token) || token.endsWith('(') || PROMQL_WORDS.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

/** The names inside rate(), irate() and increase(): they must be counters (or a histogram's series). */
const ratedNames = (expr: string) =>
  [...expr.replace(/\{[^}]*\}/g, '').matchAll(/\b(?:rate|irate|increase)\(\s*([A-Za-z_:][\w:]*)/g)].map((m) => m[1] as string);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const anchors = new Set(
  [...readFileSync('README.md', 'utf8').matchAll(/^#{1,6} +(.+)$/gm)].map((m) =>
    (m[1] as string).trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'),
  ),
);

describe('monitoring kit: the PromQL extraction this test relies on', () => {
  it.each([
    ['histogram_quantile(0.99, sum by (job, le) (rate(a_bucket{attempt="first"}[5m]))) > 5', ['a_bucket']],
    ['sum by (job) (max by (job, state) (b{queue="x"})) > 3000 and deriv(sum(b)[10m:1m]) > 0', ['b']],
    ['(c unless c offset 15m) and on (job, instance) (up offset 15m or time() - d < 900)', ['c', 'up', 'd']],
    ['sum(rate(e{job=~"$job"}[$__rate_interval])) / sum(rate(f[5m]))', ['e', 'f']],
    ['absent(up{job="neupush-worker"} == 1)', ['up']],
  ])('%s names %j', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe.skipIf(!PROMTOOL && !IN_CI)('monitoring kit: promtool', () => {
  it('accepts the alerting rules and the Prometheus config', async () => {
    expect(await promtool('check', 'rules', 'deploy/prometheus/alerts.yml')).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(await promtool('check', 'config', 'deploy/prometheus/prometheus.yml')).toContain('is valid prometheus config file syntax');
  });

  it('passes the rules unit tests: every alert fires on synthetic series, and stays silent when it should', async () => {
    expect(await promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml')).toContain('SUCCESS');
    const tested = new Set(
      [...readFileSync('deploy/prometheus/alerts.test.yml', 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]),
    );
    expect([...new Set(rules.map((r) => r.alert))].filter((a) => !tested.has(a))).toEqual([]);
  });

  it("parses every dashboard query as PromQL (Grafana's variables substituted)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neupush-dashboard-rules-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      const records = expressions.map(({ expr }, i) => ({ record: `dashboard:query_${i}`, expr: asPromql(expr) }));
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: records }] }));
      expect(await promtool('check', 'rules', file)).toContain(`SUCCESS: ${records.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('monitoring kit: the files', () => {
  it('dashboard: schema 39, a prometheus datasource variable used by every panel and query, job and instance variables', () => {
    expect(dashboard.schemaVersion).toBe(39);
    const byName = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(byName.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['job', 'instance']) {
      expect(byName.get(name), name).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
      expect(variableQuery(byName.get(name)!), name).toMatch(/^label_values\(/);
    }
    expect(queryPanels.length).toBeGreaterThan(10);
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr?.trim(), panel.title).toBeTruthy();
        expect(target.datasource?.uid, panel.title).toBe('${datasource}');
        expect(target.expr, panel.title).toContain('job=~"$job", instance=~"$instance"');
      }
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it('rules: each has for, a severity, a summary, a description and a runbook that is a README heading', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      const [doc, anchor] = (rule.annotations?.runbook_url ?? '').split('#');
      expect(doc, rule.alert).toBe('README.md');
      expect(anchors.has(anchor ?? ''), `${rule.alert}: README.md#${anchor} is no heading`).toBe(true);
    }
  });

  it('prometheus.yml scrapes the compose workers on their metrics port and loads alerts.yml', () => {
    const config = readYaml<{
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
    }>('deploy/prometheus/prometheus.yml');
    const main = readYaml<Compose>('docker-compose.yml');
    expect(config.rule_files).toContain('alerts.yml');
    const workers = config.scrape_configs.find((s) => s.job_name === 'neupush-worker');
    expect(workers?.dns_sd_configs).toEqual([expect.objectContaining({ names: ['worker'], port: 9464 })]);
    expect(main.services.worker?.environment?.NEUPUSH_METRICS_PORT).toBe('9464');
    expect(main.services.worker?.expose).toContain('9464');
    expect(rules.find((r) => r.alert === 'NeupushNoWorker')?.expr).toContain('job="neupush-worker"');
  });

  it('compose.monitoring.yml: pinned images on loopback ports free on the host, mounts that exist, no working default password', () => {
    const kit = readYaml<Compose>('deploy/compose.monitoring.yml');
    const main = readYaml<Compose>('docker-compose.yml');
    expect(Object.keys(kit.services).sort()).toEqual(['grafana', 'prometheus']);
    const hostPort = (mapping: string) => mapping.split(':').slice(-2, -1)[0];
    const taken = Object.values(main.services).flatMap((s) => (s.ports ?? []).map(hostPort));
    for (const [name, service] of Object.entries(kit.services)) {
      expect(service.profiles, name).toEqual(['monitoring']);
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
      for (const port of service.ports ?? []) {
        expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
        expect(taken, `${name} publishes ${port}, already published by docker-compose.yml`).not.toContain(hostPort(port));
      }
      // Relative to the first -f file's folder, the repository root.
      for (const source of (service.volumes ?? []).map((v) => v.split(':')[0] as string).filter((s) => s.startsWith('.'))) {
        expect(existsSync(source), `${name} mounts ${source}`).toBe(true);
      }
    }
    const { prometheus, grafana } = kit.services;
    expect(prometheus?.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(prometheus?.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(prometheus?.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(grafana?.ports?.[0]).toMatch(/^127\.0\.0\.1:\d+:3000$/);
    expect(grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
    expect(grafana?.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');

    const datasources = readYaml<{ datasources: { type: string; uid: string; url: string }[] }>(
      'deploy/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    const providers = readYaml<{ providers: { options: { path: string } }[] }>('deploy/grafana/provisioning/dashboards/neupush.yml');
    const dashboardPath = providers.providers[0]?.options.path;
    expect(grafana?.volumes).toContain(`./deploy/grafana/neupush.json:${dashboardPath}/neupush.json:ro`);
    expect(grafana?.volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});

describe('monitoring kit: the metrics exist', () => {
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.close();
  });

  it("every metric the dashboard and the rules name is served by a real worker's /metrics", async () => {
    const metricsPort = await freePort();
    pipeline = await startPipeline({
      config: { metricsPort },
      sandbox: { faults: [{ match: { title: 'Refused' }, headerStatus: 400, msg: 'bad parameters' }] },
    });
    const base = { text: 'Body', navigateType: 1, language: 'en_US' } as const;
    const sends = await Promise.all([
      pipeline.producer.send({ ...base, title: 'Delivered', openIds: ['u-1', 'u-2'] }),
      pipeline.producer.send({ ...base, title: 'Refused', openIds: ['u-3'] }),
    ]);
    const outcomes = await pipeline.waitForJobs(sends.flatMap(jobIdsOf), 20_000);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['dead-lettered', 'delivered']);

    const text = await (await fetch(`${pipeline.workers[0]!.metricsUrl}/metrics`)).text();
    const served = new Set([...text.matchAll(/^([A-Za-z_:][\w:]*)[{ ]/gm)].map((m) => m[1]));
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const typeOf = (name: string) => types.get(name) ?? types.get(name.replace(/_(bucket|sum|count)$/, ''));
    // Prometheus adds `up` to every target itself; no exporter serves it.
    const missing: string[] = [];
    const notCounters: string[] = [];
    for (const { where, expr } of expressions) {
      for (const name of metricNames(expr)) if (name !== 'up' && !served.has(name)) missing.push(`${where}: ${name}`);
      for (const name of ratedNames(expr)) {
        if (!['counter', 'histogram'].includes(typeOf(name) ?? '')) notCounters.push(`${where}: ${name} is ${typeOf(name)}`);
      }
    }
    expect(missing).toEqual([]);
    expect(notCounters).toEqual([]);
    const named = new Set(expressions.flatMap(({ expr }) => metricNames(expr)));
    for (const name of ['neupush_lateness_seconds_bucket', 'neupush_dead_letters_total', 'neupush_queue_jobs', 'process_cpu_seconds_total']) {
      expect(named, name).toContain(name);
    }
  });
});
