import { readFileSync } from 'node:fs';
import Fastify, { type FastifyBaseLogger, type FastifyError } from 'fastify';
import { loadConfig, type Config } from '../../shared/config.js';
import { ConfigError, ValidationError } from '../../shared/errors.js';
import { hostForSecret } from '../../shared/secret-strength.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { Producer } from '../producer.js';
import { checkBearer } from './auth.js';
import { HttpError } from './http-error.js';
import { API_BODY_LIMIT, DOCS_PREFIX, registerOpenApi } from './openapi.js';
import { ROUTE_DOCS } from './route-docs.js';
import { traceRequests } from './request-spans.js';
import { setupTelemetry } from '../../shared/telemetry.js';
import { registerRoutes } from './routes.js';
import { raceTimeout } from '../../shared/timeout.js';
import { listenUrl } from '../../shared/listen-url.js';

export interface ApiOptions {
  /**
   * Overrides of the environment configuration.
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
   * @defaultValue the `NEUPUSH_API_PORT` setting
   */
  port?: number;
  /**
   * Interface to bind.
   * @defaultValue `'0.0.0.0'`: backends on other hosts call it (`'127.0.0.1'` with `insecure`)
   */
  host?: string;
  /**
   * Accept a NEUPUSH_API_TOKEN shorter than 16 characters, on 127.0.0.1 only.
   * @defaultValue `false`
   */
  insecure?: boolean;
  /**
   * Where the API logs (as a child with `component: 'api'`), its requests and its Redis connection errors included.
   * @defaultValue createLogger at `LOG_LEVEL`
   */
  logger?: Logger;
}

export interface Api {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  logger: Logger;
  /** Every route served, as `METHOD /path` (HEAD and the /docs reference's own routes aside): what /openapi.json documents. */
  routes: readonly string[];
  close(): Promise<void>;
}

/** Routes anyone may call: probes and the API description (it holds no secrets), /docs and its assets included. */
const PUBLIC = new Set(['/healthz', '/openapi.json']);
const isPublic = (path: string) => PUBLIC.has(path) || path === DOCS_PREFIX || path.startsWith(`${DOCS_PREFIX}/`);

/** Errors the producer raises by name, and what they mean over HTTP. */
const STATUS_BY_CODE: Record<string, number> = {
  ERR_VALIDATION: 400,
  ERR_CAMPAIGN_NOT_FOUND: 404,
  ERR_CAMPAIGN_BUSY: 409,
  ERR_IDEMPOTENCY_CONFLICT: 409,
};

/**
 * The HTTP intake API for backends not written in Node: the Producer behind bearer-token auth. Refuses to
 * start without NEUPUSH_API_TOKEN (ConfigError: exit 2 from the CLI).
 */
export async function startApi(options: ApiOptions = {}): Promise<Api> {
  const config = loadConfig(options.env ?? process.env, options.config ?? {});
  const token = config.apiToken;
  if (token === undefined) {
    throw new ConfigError('NEUPUSH_API_TOKEN must be set: the API queues notifications for anyone who can reach it');
  }
  const host = hostForSecret('NEUPUSH_API_TOKEN', token, options, '0.0.0.0');
  if (config.apiHeadersTimeoutMs > config.apiRequestTimeoutMs) {
    throw new ConfigError('Invalid configuration: NEUPUSH_API_HEADERS_TIMEOUT_MS must not exceed NEUPUSH_API_REQUEST_TIMEOUT_MS');
  }
  const logger = (options.logger ?? createLogger({ level: config.logLevel })).child({ component: 'api' });
  // Before the producer opens its queues: they carry BullMQ's own telemetry when tracing is on.
  const telemetry = await setupTelemetry({ config });
  const producer = await Producer.create({ config: options.config ?? {}, env: options.env ?? process.env, logger }).catch(async (error: unknown) => {
    await telemetry?.shutdown();
    throw error;
  });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: API_BODY_LIMIT,
    // A client that stalls (slow headers, a body that stops) must not hold a socket and a request forever.
    connectionTimeout: config.apiIdleTimeoutMs,
    keepAliveTimeout: config.apiIdleTimeoutMs,
    requestTimeout: config.apiRequestTimeoutMs,
    http: {
      headersTimeout: config.apiHeadersTimeoutMs,
      // Node checks the request and headers timeouts this often (30 s by default, which would stretch them).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, config.apiHeadersTimeoutMs / 2)),
    },
  });
  const routes: string[] = [];
  try {
    app.addHook('onRoute', (route) => {
      const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
      for (const method of [route.method].flat()) if (method !== 'HEAD' && !hidden) routes.push(`${method} ${route.url}`);
    });
    traceRequests(app);
    await registerOpenApi(app, packageVersion());

    // Before the body is read: an unauthenticated upload is refused without being consumed.
    app.addHook('onRequest', async (request, reply) => {
      if (isPublic(request.url.split('?')[0] ?? '')) return;
      const check = checkBearer(request.headers.authorization, token);
      if (check === 'ok') return;
      reply.header('connection', 'close');
      if (check === 'missing') {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="neupush"')
          .send({ error: 'missing or malformed Authorization header; expected "Bearer <token>"' });
      }
      return reply.code(403).header('www-authenticate', 'Bearer realm="neupush", error="invalid_token"').send({ error: 'invalid token' });
    });

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const answer = toAnswer(error, producer);
      if (answer.status >= 500) request.log.error({ err: error }, 'request failed');
      // A streamed body may still be arriving; do not make the client upload the rest for nothing.
      if (answer.status === 413 || request.headers['content-type']?.startsWith('application/x-ndjson')) reply.header('connection', 'close');
      return reply.code(answer.status).send(answer.body);
    });
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

    app.get('/healthz', { schema: ROUTE_DOCS.healthz }, async () => ({ status: 'ok' }));
    app.get('/openapi.json', { schema: ROUTE_DOCS.openapi }, async () => app.swagger());
    registerRoutes(app, producer);

    await app.listen({ port: options.port ?? config.apiPort, host });
  } catch (error) {
    await app.close().catch(() => {});
    await producer.close();
    await telemetry?.shutdown();
    throw error;
  }

  const url = listenUrl(app.server, host);
  logger.info({ url, prefix: config.prefix }, 'API listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    logger,
    routes,
    close: () =>
      (closing ??= (async () => {
        // Requests in flight get NEUPUSH_SHUTDOWN_TIMEOUT_MS to finish; a stalled upload does not hold shutdown.
        await raceTimeout(app.close().catch(() => {}), config.shutdownTimeoutMs, () => {
          logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still open at shutdown deadline; closing them');
          app.server.closeAllConnections();
        });
        await producer.close();
        await telemetry?.shutdown().catch((e: unknown) => logger.warn({ err: e }, 'could not flush traces'));
      })()),
  };
}

function toAnswer(error: FastifyError | Error, producer: Producer): { status: number; body: Record<string, unknown> } {
  if (error instanceof HttpError) {
    return { status: error.statusCode, body: { error: error.message, ...(error.issues && { issues: error.issues }) } };
  }
  if (error instanceof ValidationError) {
    return { status: 400, body: { error: error.message, issues: error.issues, issueCount: error.issueCount } };
  }
  const code = (error as { code?: unknown }).code;
  const known = typeof code === 'string' ? STATUS_BY_CODE[code] : undefined;
  if (known !== undefined) return { status: known, body: { error: error.message } };
  // Fastify's own client errors: invalid JSON, empty body, unsupported media type, body too large.
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: error.message, ...(status === 400 && { issues: [{ field: 'body', rule: error.message }] }) } };
  }
  if (producer.redis.status !== 'ready') return { status: 503, body: { error: 'Redis is unavailable; retry later' } };
  return { status: 500, body: { error: 'internal error' } };
}

/** package.json sits three levels up from both src/producer/http and dist/producer/http. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
