import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { CAMPAIGN_BATCH_SIZE } from '../../src/producer/campaign-create.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { createLogCapture, type LogCapture } from '../helpers/log-capture.js';
import { redisUrl, testPrefix, waitUntil } from '../helpers/isolation.js';

const execFileAsync = promisify(execFile);
const TOKEN = 'tok-3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e';

let pipeline: Pipeline;
let api: Api;
let apiLogs: LogCapture;

beforeAll(async () => {
  pipeline = await startPipeline({
    config: { metricsPort: 0 },
    sandbox: { faults: [{ match: { title: 'Refused' }, times: 1, headerStatus: 400, msg: 'bad parameters' }] },
  });
  apiLogs = createLogCapture();
  const { secret: _secret, ...producerConfig } = pipeline.config;
  api = await startApi({
    env: {},
    config: { ...producerConfig, apiToken: TOKEN },
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'debug', destination: apiLogs }),
  });
});

afterAll(async () => {
  await api?.close();
  await pipeline?.close();
});

const bearer = { authorization: `Bearer ${TOKEN}` };
const jsonHeaders = { ...bearer, 'content-type': 'application/json' };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = jsonHeaders) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? { authorization: headers.authorization ?? '' } : headers,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const welcome = { title: 'Welcome', text: 'Glad to have you', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] };

describe('HTTP intake API over real HTTP', () => {
  it('POST /v1/notifications queues a notification that the worker delivers to the sandbox', async () => {
    const res = await call('POST', '/v1/notifications', { notification: welcome });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ jobs: 1 });
    const id = String(res.body?.id);
    expect(await pipeline.waitForJobs(jobIdsOf({ id, jobs: 1 }))).toEqual([{ status: 'delivered', recipients: 2 }]);
    const accepted = pipeline.sandbox.accepted.find((r) => r.params.title === 'Welcome');
    expect(accepted?.openIds).toEqual(['u-1', 'u-2']);
  });

  it('Idempotency-Key: the same key twice answers with the same id and queues one notification', async () => {
    const headers = { ...jsonHeaders, 'idempotency-key': 'order-1234-shipped' };
    const body = { notification: { ...welcome, title: 'Shipped' }, options: { expiresIn: '30m' } };
    const first = await call('POST', '/v1/notifications', body, headers);
    const second = await call('POST', '/v1/notifications', body, headers);
    expect(first.status).toBe(202);
    expect(second.body).toEqual({ ...first.body, duplicate: true });
    await pipeline.waitForJobs(jobIdsOf({ id: String(first.body?.id), jobs: 1 }));
    expect(pipeline.sandbox.accepted.filter((r) => r.params.title === 'Shipped')).toHaveLength(1);

    const clash = await call('POST', '/v1/notifications', { ...body, options: { idempotencyKey: 'other' } }, headers);
    expect(clash.status).toBe(400);
    expect(clash.body?.issues).toEqual([{ field: 'options.idempotencyKey', rule: 'differs from the Idempotency-Key header' }]);
  });

  it('answers 401 without or with a malformed token, 403 with a wrong one; /healthz and /openapi.json are public', async () => {
    const none = await call('GET', '/v1/dead-letters', undefined, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="neupush"');
    expect((await call('GET', '/v1/dead-letters', undefined, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await call('GET', '/v1/dead-letters', undefined, { authorization: 'Bearer' })).status).toBe(401);
    const wrong = await call('POST', '/v1/notifications', { notification: welcome }, { ...jsonHeaders, authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: 'invalid token' });
    expect((await call('GET', '/healthz', undefined, {})).status).toBe(200);
    expect((await call('GET', '/openapi.json', undefined, {})).status).toBe(200);
  });

  it('answers 400 naming each failing field and rule, for the notification, the options and the body', async () => {
    const bad = await call('POST', '/v1/notifications', { notification: { title: ' ', text: 'x', navigateType: 2, openIds: ['a'] } });
    expect(bad.status).toBe(400);
    expect(bad.body?.issues).toEqual(
      expect.arrayContaining([
        { field: 'notification.title', rule: 'must not be empty' },
        { field: 'notification.url', rule: 'is required when navigateType is 2 (open a URL)' },
      ]),
    );
    const late = await call('POST', '/v1/notifications', { notification: welcome, options: { sendAt: 'tomorrow-ish' } });
    expect(late.status).toBe(400);
    expect((late.body?.issues as { field: string }[]).map((i) => i.field)).toEqual(['options.sendAt']);
    const unknown = await call('POST', '/v1/notifications', { notification: welcome, priority: 'high' });
    expect(unknown.body?.issues).toEqual([{ field: '', rule: 'unknown field(s) priority' }]);
    const notJson = await call('POST', '/v1/notifications', '{"notification":', jsonHeaders);
    expect(notJson.status).toBe(400);
    expect(notJson.body?.issues).toEqual([{ field: 'body', rule: expect.any(String) }]);
    const badKey = await call('POST', '/v1/notifications', { notification: welcome }, { ...jsonHeaders, 'idempotency-key': 'k'.repeat(300) });
    expect(badKey.body?.issues).toEqual([{ field: 'Idempotency-Key', rule: 'must be at most 256 characters' }]);
  });

  it('answers 415 for another content type and 404 for an unknown route', async () => {
    const text = await call('POST', '/v1/notifications', 'hello', { ...bearer, 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const nowhere = await call('GET', '/v2/things');
    expect(nowhere).toMatchObject({ status: 404, body: { error: 'no route GET /v2/things' } });
  });

  it('answers 413 for a JSON body over 1 MiB', async () => {
    const openIds = Array.from({ length: 60_000 }, (_, i) => `user-${String(i).padStart(12, '0')}`);
    const res = await call('POST', '/v1/notifications', { notification: { ...welcome, openIds } });
    expect(res.status).toBe(413);
  });

  it('campaigns: JSON create, GET, list, DELETE; 404 for an unknown id', async () => {
    const created = await call('POST', '/v1/campaigns', {
      id: 'http-json-1',
      notification: { title: 'Sale', text: 'Today only', navigateType: 1, language: 'en_US' },
      recipients: ['c-1', 'c-2', { openId: 'c-3', timezone: 'Asia/Riyadh' }],
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ id: 'http-json-1', recipients: 3, jobs: 1, existing: false });
    const status = await call('GET', '/v1/campaigns/http-json-1');
    expect(status.body).toMatchObject({ id: 'http-json-1', state: 'scheduled', recipients: 3, title: 'Sale' });
    const list = await call('GET', '/v1/campaigns?limit=10');
    expect((list.body?.campaigns as { id: string }[]).map((c) => c.id)).toContain('http-json-1');
    const cancelled = await call('DELETE', '/v1/campaigns/http-json-1');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', stopped: 3 });
    expect((await call('GET', '/v1/campaigns/nope')).status).toBe(404);
    expect((await call('DELETE', '/v1/campaigns/nope')).status).toBe(404);
    const invalid = await call('POST', '/v1/campaigns', { notification: { title: 'x', text: 'y', navigateType: 1 }, recipients: [] });
    expect(invalid.status).toBe(400);
    expect(invalid.body?.issues).toEqual([{ field: 'recipients', rule: 'must not be empty' }]);
  });

  it('campaigns over NDJSON stream: recipients are queued while the body is still arriving', async () => {
    const header = {
      id: 'http-ndjson-1',
      notification: { title: 'Big', text: 'Audience', navigateType: 1, language: 'en_US' },
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    // One full input batch of createCampaign and a bit, then the body pauses; the rest follows later.
    const before = CAMPAIGN_BATCH_SIZE + 1_000;
    const total = before + 1_000;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `${JSON.stringify(`s-${from + i}`)}\n`).join('');
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(`${JSON.stringify(header)}\n`));
        controller.enqueue(encoder.encode(lines(0, before)));
        await held;
        controller.enqueue(encoder.encode(lines(before, total)));
        controller.close();
      },
    });
    const request = fetch(`${api.url}/v1/campaigns`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
    } as RequestInit);
    try {
      // Proof the server does not buffer the body: the first batch is queued while the rest is held back.
      await waitUntil(async () => Number((await call('GET', '/v1/campaigns/http-ndjson-1')).body?.read ?? 0) >= CAMPAIGN_BATCH_SIZE, {
        timeoutMs: 30_000,
        message: 'first NDJSON batch queued before the body ended',
      });
    } finally {
      release();
    }
    const res = await request;
    expect(res.status).toBe(202);
    const jobs = Math.ceil(CAMPAIGN_BATCH_SIZE / 100) + Math.ceil((total - CAMPAIGN_BATCH_SIZE) / 100);
    expect(await res.json()).toMatchObject({ id: 'http-ndjson-1', recipients: total, jobs, read: total });
    expect((await call('DELETE', '/v1/campaigns/http-ndjson-1')).body).toMatchObject({ state: 'cancelled', stopped: total });
  });

  it('NDJSON: a bad line is a 400 naming it; a line over 64 KiB is a 413', async () => {
    const post = (text: string) =>
      fetch(`${api.url}/v1/campaigns`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/x-ndjson' }, body: text });
    const header = JSON.stringify({ id: 'http-ndjson-bad', notification: { title: 'T', text: 'x', navigateType: 1, language: 'en_US' } });
    const bad = await post(`${header}\n"r-1"\n{oops\n`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ issues: [{ field: 'line 3', rule: 'is not valid JSON' }] });
    const long = await post(`${header}\n"${'x'.repeat(70_000)}"\n`);
    expect(long.status).toBe(413);
    const badHeader = await post(`{"notification":{},"color":"red"}\n"r-1"\n`);
    expect(badHeader.status).toBe(400);
    expect(await badHeader.json()).toMatchObject({ issues: [{ field: 'line 1', rule: 'unknown field(s) color' }] });
  });

  it('dead letters: list and redrive (the sandbox refused it once, the redrive delivers)', async () => {
    const sent = await call('POST', '/v1/notifications', { notification: { ...welcome, title: 'Refused' } });
    const id = `${String(sent.body?.id)}.0`;
    await pipeline.waitForDeadLetters(1);
    const list = await call('GET', '/v1/dead-letters');
    const entry = (list.body?.deadLetters as { id: string; reason: string }[]).find((d) => d.id === id);
    expect(entry).toMatchObject({ reason: 'rejected', lastError: 'HTTP 200, status 400, bad parameters' });
    expect((await call('POST', '/v1/dead-letters/redrive', { ids: [] })).status).toBe(400);
    const redrive = await call('POST', '/v1/dead-letters/redrive', { ids: [id, 'missing'] });
    expect(redrive.body).toEqual({ redriven: 1, skipped: [{ id: 'missing', why: 'no dead letter with this id' }] });
    expect(await pipeline.waitForJobs([`${id}.r1`])).toEqual([{ status: 'delivered', recipients: 2 }]);
  });

  it('/openapi.json describes every route with request schemas generated from the zod schemas', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, {})).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/notifications', '/v1/campaigns', '/v1/campaigns/{id}', '/v1/dead-letters', '/v1/dead-letters/redrive']),
    );
    expect(Object.keys(doc.paths['/v1/campaigns/{id}']!)).toEqual(['get', 'delete']);
    const notification = doc.components.schemas.Notification!;
    expect(notification.required).toEqual(['title', 'text', 'navigateType']);
    expect(Object.keys(notification.properties!)).toEqual(expect.arrayContaining(['openIds', 'rulesType', 'language', 'mobileNumber']));
    expect(doc.components.schemas.SendRequest!.properties!.notification).toEqual({ $ref: '#/components/schemas/Notification' });
    expect(JSON.stringify(doc)).not.toContain('readOnly');
  });

  it('never logs the token or the Authorization header', () => {
    const text = apiLogs.text();
    expect(apiLogs.lines().length).toBeGreaterThan(10);
    expect(text).not.toContain(TOKEN);
    expect(text.toLowerCase()).not.toContain('bearer');
  });

  it('`neupush api` without NEUPUSH_API_TOKEN exits 2 and says why', async () => {
    const env = { PATH: process.env.PATH, REDIS_URL: redisUrl(), NEUPUSH_PREFIX: testPrefix() };
    const error = await execFileAsync(process.execPath, ['bin/neupush.js', 'api', '--port', '0'], { env, timeout: 30_000 }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/NEUPUSH_API_TOKEN must be set/);
  });
});
