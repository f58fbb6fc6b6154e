import { createBullBoard } from '@bull-board/api';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { closeRedis, connectRedis, waitForRedis } from '../shared/redis.js';
import { basicAuthMatches, type BasicCredentials } from './basic-auth.js';
import { listenUrl } from '../shared/listen-url.js';
import { crossSiteRefusal } from './cross-site.js';
import { dashboardAdapters, DASHBOARD_QUEUES } from './queue-adapters.js';
import { guardBoardWrites } from './board-writes.js';
import { hostForSecret } from '../shared/secret-strength.js';
import type { DeadLetterQueue, DeliveryQueue, ScheduleQueue } from '../shared/queues.js';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, SCHEDULE_QUEUE } from '../shared/queue-names.js';
import { registerConsole } from './console-routes.js';
import { CONSOLE_LINKS } from './queue-adapters.js';

/** Only loopback may be served without credentials. */
export const INSECURE_HOST = '127.0.0.1';

export interface DashboardOptions {
  /**
   * Overrides of the environment configuration (user, password, port, read-only come from there).
   * @defaultValue none: every setting from `env` (see Config for each variable and default)
   */
  config?: Partial<Config>;
  /**
   * Environment to read.
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Port to listen on; 0 = any free port.
   * @defaultValue the `NEUPUSH_DASHBOARD_PORT` setting
   */
  port?: number;
  /**
   * Interface to bind.
   * @defaultValue `'0.0.0.0'` with credentials; `INSECURE_HOST` (127.0.0.1, and nothing else) with `insecure`
   */
  host?: string;
  /**
   * Hide the retry/clean/delete buttons and refuse every change.
   * @defaultValue the `NEUPUSH_DASHBOARD_READ_ONLY` setting
   */
  readOnly?: boolean;
  /**
   * Run without credentials, on 127.0.0.1 only.
   * @defaultValue `false`
   */
  insecure?: boolean;
  /**
   * Origins (e.g. https://dash.example.com) from which browsers may change things, besides the one whose
   * host is the request's Host header. Needed behind a proxy that rewrites Host.
   * @defaultValue none
   */
  origins?: string[];
  /**
   * Where the dashboard logs (as a child with `component: 'dashboard'`).
   * @defaultValue createLogger at `LOG_LEVEL`
   */
  logger?: Logger;
}

export interface Dashboard {
  /** e.g. http://127.0.0.1:3000/ */
  url: string;
  readOnly: boolean;
  /** Whether basic auth is enforced (false only with `insecure`). */
  authenticated: boolean;
  logger: Logger;
  close(): Promise<void>;
}

/** Decide credentials and host before opening anything; every refusal here is a configuration error (exit 2). */
export function resolveAccess(
  config: Readonly<Config>,
  options: Pick<DashboardOptions, 'host' | 'insecure'>,
): { credentials?: BasicCredentials; host: string } {
  const { dashboardUser: user, dashboardPassword: password } = config;
  if (user !== undefined && password !== undefined) {
    return { credentials: { user, password }, host: hostForSecret('NEUPUSH_DASHBOARD_PASSWORD', password, options, '0.0.0.0') };
  }
  if (user !== undefined || password !== undefined) {
    throw new ConfigError(
      `${user === undefined ? 'NEUPUSH_DASHBOARD_USER' : 'NEUPUSH_DASHBOARD_PASSWORD'} must be set too: the dashboard needs both`,
    );
  }
  if (!options.insecure) {
    throw new ConfigError(
      'the dashboard can retry, delete and show every job, so it needs NEUPUSH_DASHBOARD_USER and ' +
        `NEUPUSH_DASHBOARD_PASSWORD (basic auth); or pass --insecure to run it open on ${INSECURE_HOST} only`,
    );
  }
  const host = options.host ?? INSECURE_HOST;
  if (host !== INSECURE_HOST) {
    throw new ConfigError(`--insecure serves the dashboard without credentials on ${INSECURE_HOST} only, not on ${host}`);
  }
  return { host };
}

/**
 * Bull Board over every neupush queue, on fastify, behind basic auth. One onRequest hook on the root
 * instance guards every route (the page, its JSON API, static files, 404s); in read-only mode the same
 * hook refuses every request but GET and HEAD, so the API cannot be driven around the hidden buttons.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const config = loadConfig(options.env ?? process.env, options.config ?? {});
  const access = resolveAccess(config, options);
  const readOnly = options.readOnly ?? config.dashboardReadOnly;
  const port = options.port ?? config.dashboardPort;
  const logger = (options.logger ?? createLogger({ level: config.logLevel })).child({ component: 'dashboard' });

  // Producer-style connection: while Redis is down the board's calls fail at once instead of hanging.
  const redis = connectRedis(config, 'producer');
  redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  let app: FastifyInstance | undefined;
  const queues: Queue[] = [];
  const cleanup = async () => {
    await app?.close().catch(() => {});
    await Promise.allSettled(queues.map((q) => q.close()));
    await closeRedis(redis);
  };

  try {
    await waitForRedis(redis);
    for (const name of DASHBOARD_QUEUES.map((q) => q.name)) {
      const queue = new Queue(name, { connection: redis, prefix: config.prefix });
      queue.on('error', (err) => logger.debug({ err, queue: name }, 'queue error'));
      queues.push(queue);
    }

    app = Fastify({ logger: false });
    app.addHook('onRequest', async (request, reply) => {
      if (access.credentials && !basicAuthMatches(request.headers.authorization, access.credentials)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Basic realm="neupush dashboard", charset="UTF-8"')
          .send({ error: 'authentication required' });
      }
      if (readOnly && request.method !== 'GET' && request.method !== 'HEAD') {
        logger.warn({ method: request.method, url: request.url }, 'refused a change: the dashboard is read-only');
        return reply.code(403).send({ error: 'the dashboard is read-only' });
      }
      const refusal = crossSiteRefusal(
        {
          method: request.method,
          path: request.url.split('?')[0] ?? '/',
          host: request.headers.host,
          origin: request.headers.origin,
          secFetchSite: single(request.headers['sec-fetch-site']),
          contentType: request.headers['content-type'],
          hasBody: Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined,
        },
        options.origins,
      );
      if (refusal) {
        logger.warn({ method: request.method, url: request.url, origin: request.headers.origin, reason: refusal.error }, 'refused a change');
        return reply.code(refusal.status).send({ error: refusal.error });
      }
    });
    guardBoardWrites(app, queues, logger);

    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath('/');
    createBullBoard({
      queues: dashboardAdapters(queues, readOnly),
      serverAdapter,
      options: { uiConfig: { boardTitle: readOnly ? 'neupush (read-only)' : 'neupush', hideDocsLink: true, miscLinks: [...CONSOLE_LINKS] } },
    });
    await app.register(serverAdapter.registerPlugin());
    const byName = (name: string) => queues.find((q) => q.name === name) as Queue;
    await registerConsole(app, {
      config,
      redis,
      deliveries: byName(DELIVERY_QUEUE) as DeliveryQueue,
      deadLetters: byName(DEAD_LETTER_QUEUE) as DeadLetterQueue,
      schedules: byName(SCHEDULE_QUEUE) as ScheduleQueue,
      readOnly,
      logger,
    });
    await app.listen({ port, host: access.host });
  } catch (error) {
    await cleanup();
    throw error;
  }

  const url = listenUrl(app.server, access.host, '/');
  if (!access.credentials) logger.warn({ url }, 'dashboard running WITHOUT authentication (--insecure), loopback only');
  logger.info({ url, readOnly, queues: DASHBOARD_QUEUES.map((q) => q.name), prefix: config.prefix }, 'dashboard listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    readOnly,
    authenticated: access.credentials !== undefined,
    logger,
    close: () => (closing ??= cleanup()),
  };
}

function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
