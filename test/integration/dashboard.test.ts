import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import { DELIVERY_QUEUE } from '../../src/shared/queue-names.js';
import { resolveAccess, type Dashboard, type DashboardOptions } from '../../src/dashboard/server.js';
import { basicAuth, DASHBOARD_PASSWORD, DASHBOARD_USER, startTestDashboard, type TestDashboard } from '../helpers/dashboard.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';
import { useTestRedis } from '../helpers/test-redis.js';

const execFileAsync = promisify(execFile);
const USER = DASHBOARD_USER;
const PASSWORD = DASHBOARD_PASSWORD;
const auth = basicAuth;

let prefix: string;
let deliveries: Queue;
let board: TestDashboard | undefined;
useTestRedis({
  prefix: () => prefix,
  closeOpened: async () => {
    await board?.close();
    board = undefined;
  },
});

async function start(options: Omit<DashboardOptions, 'env' | 'port' | 'logger'> = {}): Promise<Dashboard> {
  board = await startTestDashboard(options);
  ({ prefix, deliveries } = board);
  return board.dashboard;
}

describe('dashboard access control', () => {
  it('answers 401 with a Basic challenge to missing, malformed and wrong credentials', async () => {
    const { url } = await start();
    for (const authorization of [undefined, 'Bearer x', 'Basic !!!', auth(USER, 'wrong'), auth('root', PASSWORD), auth(USER, `${PASSWORD}x`)]) {
      const res = await fetch(`${url}api/queues`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="neupush dashboard", charset="UTF-8"');
    }
    const ok = await fetch(`${url}api/queues`, { headers: { authorization: auth() } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['dead-letters', 'deliveries', 'schedules', 'webhook-dead-letters', 'webhooks']);
  });

  it('without read-only, changes go through (pause a queue)', async () => {
    const { url } = await start();
    const res = await fetch(`${url}api/queues/${DELIVERY_QUEUE}/pause`, { method: 'PUT', headers: { authorization: auth() } });
    expect(res.status).toBe(200);
    expect(await deliveries.isPaused()).toBe(true);
  });

  it('read-only refuses every non-GET request on the server with 403, after authentication', async () => {
    const { url, readOnly } = await start({ config: { dashboardReadOnly: true } });
    expect(readOnly).toBe(true);
    const queues = (await (await fetch(`${url}api/queues`, { headers: { authorization: auth() } })).json()) as {
      queues: { readOnlyMode: boolean }[];
    };
    expect(queues.queues.every((q) => q.readOnlyMode)).toBe(true);
    for (const [method, path] of [
      ['PUT', `api/queues/${DELIVERY_QUEUE}/pause`],
      ['PUT', `api/queues/${DELIVERY_QUEUE}/clean/completed`],
      ['POST', `api/queues/${DELIVERY_QUEUE}/add`],
      ['DELETE', `api/queues/${DELIVERY_QUEUE}/some-job`],
    ] as const) {
      const refused = await fetch(`${url}${path}`, { method, headers: { authorization: auth(), 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(await refused.json()).toEqual({ error: 'the dashboard is read-only' });
      const anonymous = await fetch(`${url}${path}`, { method });
      expect(anonymous.status, `anonymous ${method} ${path}`).toBe(401);
    }
    expect(await deliveries.isPaused()).toBe(false);
    expect(await deliveries.count()).toBe(0);
  });

  it('--insecure runs open on 127.0.0.1 only', async () => {
    const { url, authenticated } = await start({ insecure: true, config: { dashboardUser: undefined, dashboardPassword: undefined } });
    expect(authenticated).toBe(false);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${url}api/queues`)).status).toBe(200);
  });

  it('refuses to start without credentials, with only one of them, or insecure on another host', () => {
    const none = loadConfig({});
    expect(() => resolveAccess(none, {})).toThrow(ConfigError);
    expect(() => resolveAccess(none, {})).toThrow(/NEUPUSH_DASHBOARD_USER and NEUPUSH_DASHBOARD_PASSWORD.*--insecure/);
    expect(() => resolveAccess(loadConfig({ NEUPUSH_DASHBOARD_USER: 'u' }), {})).toThrow(/NEUPUSH_DASHBOARD_PASSWORD must be set too/);
    expect(() => resolveAccess(none, { insecure: true, host: '0.0.0.0' })).toThrow(/127\.0\.0\.1 only, not on 0\.0\.0\.0/);
    expect(resolveAccess(none, { insecure: true })).toEqual({ host: '127.0.0.1' });
    const both = loadConfig({ NEUPUSH_DASHBOARD_USER: 'u', NEUPUSH_DASHBOARD_PASSWORD: 'p'.repeat(16) });
    expect(resolveAccess(both, {})).toEqual({ credentials: { user: 'u', password: 'p'.repeat(16) }, host: '0.0.0.0' });
  });

  it('`neupush dashboard` without credentials exits 2 and says why', async () => {
    prefix = testPrefix();
    const env = { PATH: process.env.PATH, REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix };
    const run = execFileAsync(process.execPath, ['bin/neupush.js', 'dashboard', '--port', '0'], { env, timeout: 30_000 });
    const error = await run.then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/needs NEUPUSH_DASHBOARD_USER and NEUPUSH_DASHBOARD_PASSWORD/);
  });
});
