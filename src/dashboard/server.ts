import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, SCHEDULE_QUEUE } from '../shared/queue-names.js';
import { closeRedis, connectRedis, waitForRedis } from '../shared/redis.js';
import { basicAuthMatches, type BasicCredentials } from './basic-auth.js';
import { listenUrl } from '../shared/listen-url.js';
import { hostForSecret } from '../shared/secret-strength.js';

/** Every neupush queue. Campaign chunks and scheduled sends are jobs in `deliveries`, named by kind. */
export const DASHBOARD_QUEUES = [
  { name: DELIVERY_QUEUE, description: 'One job per sendNotify request: notification, campaign-chunk or scheduled-notification' },
  { name: DEAD_LETTER_QUEUE, description: 'Deliveries that could not be sent, each named by its reason' },
  { name: SCHEDULE_QUEUE, description: 'Recurring schedules; each firing fans out into delivery jobs' },
] as const;

/** Only loopback may be served without credentials. */
export const INSECURE_HOST = '127.0.0.1';

export interface DashboardOptions {
  /** Overrides of the environment configuration (user, password, port, read-only come from there). */
  config?: Partial<Config>;
  env?: NodeJS.ProcessEnv;
  /** Default NEUPUSH_DASHBOARD_PORT. 0 = any free port. */
  port?: number;
  /** Default 0.0.0.0 with credentials; 127.0.0.1 (and nothing else) with `insecure`. */
  host?: string;
  /** Default NEUPUSH_DASHBOARD_READ_ONLY. */
  readOnly?: boolean;
  /** Run without credentials, on 127.0.0.1 only. Default false. */
  insecure?: boolean;
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
  redis.on('error', (e) => logger.debug({ err: e.message }, 'redis connection error'));
  let app: FastifyInstance | undefined;
  const queues: Queue[] = [];
  const cleanup = async () => {
    await app?.close().catch(() => {});
    await Promise.allSettled(queues.map((q) => q.close()));
    await closeRedis(redis);
  };

  try {
    await waitForRedis(redis);
    for (const { name } of DASHBOARD_QUEUES) {
      const queue = new Queue(name, { connection: redis, prefix: config.prefix });
      queue.on('error', (e) => logger.debug({ err: e.message, queue: name }, 'queue error'));
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
    });

    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath('/');
    createBullBoard({
      queues: queues.map(
        (queue, i) =>
          new BullMQAdapter(queue, {
            readOnlyMode: readOnly,
            allowRetries: !readOnly,
            description: DASHBOARD_QUEUES[i]?.description ?? '',
          }),
      ),
      serverAdapter,
      options: { uiConfig: { boardTitle: readOnly ? 'neupush (read-only)' : 'neupush', hideDocsLink: true } },
    });
    await app.register(serverAdapter.registerPlugin());
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
