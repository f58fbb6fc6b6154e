import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/producer/http/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';

const TOKEN = 'tok-7c9e1a3b5d7f9a1c3e5b7d9f1a3c5e7b';

/** A stand-in OTLP/HTTP receiver: records what each export POST carried. */
const received: { path: string; type: string; body: Buffer }[] = [];
const collector = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end();
  });
});
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => collector.close(resolve));
});

describe('OTLP export (the API, configured by OTEL_* variables)', () => {
  it.each([
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ])('%s: spans are posted to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces as %s, flushed on close', async (protocol, type) => {
    received.length = 0;
    const api = await startApi({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_SERVICE_NAME: 'neupush-api-test' },
      config: { redisUrl: redisUrl(), prefix: testPrefix(), apiToken: TOKEN },
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ level: 'silent' }),
    });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    await api.close();
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.path === '/v1/traces' && r.type.startsWith(type))).toBe(true);
    const body = Buffer.concat(received.map((r) => r.body)).toString('latin1');
    expect(body).toContain('neupush-api-test');
    expect(body).toContain('GET /healthz');
  });
});
