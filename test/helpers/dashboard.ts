import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startDashboard, type Dashboard, type DashboardOptions } from '../../src/dashboard/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { DELIVERY_QUEUE } from '../../src/shared/queue-names.js';
import { createLogCapture } from './log-capture.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from './isolation.js';

export const DASHBOARD_USER = 'ops';
export const DASHBOARD_PASSWORD = 'pa55-word-long-enough';
export const basicAuth = (user = DASHBOARD_USER, password = DASHBOARD_PASSWORD) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface TestDashboard {
  dashboard: Dashboard;
  prefix: string;
  deliveries: Queue;
  /** fetch against the dashboard with credentials; `path` is relative to its URL. */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A dashboard with credentials on its own prefix, and the deliveries queue under it. */
export async function startTestDashboard(options: Omit<DashboardOptions, 'env' | 'port' | 'logger'> = {}): Promise<TestDashboard> {
  const prefix = testPrefix();
  const deliveries = new Queue(DELIVERY_QUEUE, { connection: { url: redisUrl() }, prefix });
  const dashboard = await startDashboard({
    env: {},
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ destination: createLogCapture() }),
    ...options,
    config: { redisUrl: redisUrl(), prefix, dashboardUser: DASHBOARD_USER, dashboardPassword: DASHBOARD_PASSWORD, ...options.config },
  });
  return {
    dashboard,
    prefix,
    deliveries,
    call: (path, init = {}) =>
      fetch(`${dashboard.url}${path}`, { ...init, headers: { authorization: basicAuth(), ...(init.headers as Record<string, string>) } }),
    close: async () => {
      await dashboard.close();
      await deliveries.close();
    },
  };
}

/**
 * For a test file: registers hooks that close every dashboard a test started and delete its keys, and
 * returns the function that starts one.
 */
export function dashboardPerTest(): (options?: Omit<DashboardOptions, 'env' | 'port' | 'logger'>) => Promise<TestDashboard> {
  let redis: Redis;
  const started: TestDashboard[] = [];
  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await redis.quit();
  });
  afterEach(async () => {
    for (const board of started.splice(0)) {
      await board.close();
      await deleteKeysWithPrefix(redis, board.prefix);
    }
  });
  return async (options) => {
    const board = await startTestDashboard(options);
    started.push(board);
    return board;
  };
}
