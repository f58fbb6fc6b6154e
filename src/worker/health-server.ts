import http from 'node:http';
import type { Socket } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger.js';
import { raceTimeout } from '../shared/timeout.js';
import { listenUrl } from '../shared/listen-url.js';

export interface ReadinessCheck {
  /** Named checks; ready when every one resolves true. A check that throws or hangs counts as false. */
  [name: string]: () => Promise<boolean> | boolean;
}

export interface HealthServerOptions {
  port: number;
  /** Default (unset): every interface, so Prometheus and orchestrator probes reach it from outside the container. */
  host?: string | undefined;
  registry: Registry;
  ready: ReadinessCheck;
  logger: Logger;
  /** A readiness check slower than this counts as failed. Default 1000 ms. */
  checkTimeoutMs?: number;
}

export interface HealthServer {
  /** e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` (Prometheus text format), `/healthz` (the process answers), `/readyz` (Redis answers and the
 * worker is running; 503 with the failing checks otherwise). Plain node:http: three GET routes need no framework.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { registry, ready, logger } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 1_000;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(res, 200, registry.contentType, text),
        (error: unknown) => {
          logger.error({ err: error }, 'collecting metrics failed');
          send(res, 500, 'text/plain', 'collecting metrics failed\n');
        },
      );
      return;
    }
    if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      void runChecks(ready, checkTimeoutMs).then((checks) => {
        const ok = Object.values(checks).every(Boolean);
        send(res, ok ? 200 : 503, 'application/json', `${JSON.stringify({ status: ok ? 'ready' : 'not ready', checks })}\n`);
      });
      return;
    }
    send(res, 404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = listenUrl(server, options.host);

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A Prometheus keep-alive connection would otherwise hold close() open.
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function runChecks(checks: ReadinessCheck, timeoutMs: number): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, await raceTimeout(Promise.resolve().then(check), timeoutMs, () => false)] as const;
      } catch {
        return [name, false] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Metrics are secondary to delivery: when the port is taken (a second worker on one host with the same
 * NEUPUSH_METRICS_PORT), log an error and run without them rather than refuse to deliver.
 */
export async function tryStartHealthServer(options: HealthServerOptions): Promise<HealthServer | undefined> {
  try {
    const server = await startHealthServer(options);
    options.logger.info({ url: server.url }, 'serving /metrics, /healthz and /readyz');
    return server;
  } catch (error) {
    options.logger.error(
      { port: options.port, host: options.host, err: error },
      'could not serve metrics and health checks; running without them (set NEUPUSH_METRICS_PORT to a free port, or 0 to turn them off; ' +
        'NEUPUSH_METRICS_HOST to an address of this host)',
    );
    return undefined;
  }
}
