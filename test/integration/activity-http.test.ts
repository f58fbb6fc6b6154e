import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';

const TOKEN = 'tok-7a1c3e5b9d2f4a6c8e0b1d3f5a7c9e2b';
const CARD = { title: 'Order on its way', text: 'Arrives 14:00', color: '00AA55', templateId: '1', iconUrl: 'https://example.com/truck.png', language: 'ar_SA' };

let pipeline: Pipeline;
let api: Api;

beforeAll(async () => {
  pipeline = await startPipeline({ config: { metricsPort: 0 } });
  const { secret: _secret, ...producerConfig } = pipeline.config;
  api = await startApi({ env: {}, config: { ...producerConfig, apiToken: TOKEN }, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await api?.close();
  await pipeline?.close();
});

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const fields = (body: Record<string, unknown> | undefined) => ((body?.issues ?? []) as { field: string }[]).map((i) => i.field);

describe('HTTP API: activity cards', () => {
  it('POST /v1/activities queues the card (202) and the worker shows it; DELETE /v1/activities/{id} removes it', async () => {
    const shown = await call('POST', '/v1/activities', { activity: { ...CARD, activityId: 'order-55', openIds: ['u-1', 'u-2'] }, options: { validityTime: 600 } });
    expect(shown.status).toBe(202);
    expect(shown.body).toMatchObject({ activityId: 'order-55', jobs: 1, duplicate: false });
    await pipeline.waitForJobs([`${String(shown.body?.id)}.show.0`]);
    expect(pipeline.sandbox.activities.find((r) => r.params.activityId === 'order-55')?.params).toMatchObject({ status: '1', validityTime: '600', language: 'ar_SA' });

    const removed = await call('DELETE', '/v1/activities/order-55', { audience: ['u-1', 'u-2'] });
    expect(removed.status).toBe(202);
    expect(await pipeline.waitForJobs([`${String(removed.body?.id)}.remove.0`])).toEqual([{ status: 'delivered', recipients: 2 }]);
    expect(pipeline.sandbox.activities.filter((r) => r.params.activityId === 'order-55').map((r) => r.params.status)).toEqual(['1', '0']);
  });

  it('answers 400 naming the field, and queues nothing', async () => {
    const before = await pipeline.producer.deliveries.count();
    const badColor = await call('POST', '/v1/activities', { activity: { ...CARD, color: 'green', openIds: ['u-1'] }, options: { validityTime: 60 } });
    expect(badColor.status).toBe(400);
    expect(fields(badColor.body)).toEqual(['activity.color']);
    const noAudience = await call('POST', '/v1/activities', { activity: CARD, options: { validityTime: 60 } });
    expect(fields(noAudience.body)).toEqual(['activity.openIds']);
    const noValidity = await call('POST', '/v1/activities', { activity: { ...CARD, openIds: ['u-1'] } });
    expect(noValidity.status).toBe(400);
    expect(fields(noValidity.body)).toEqual(['options.validityTime']);
    const status = await call('POST', '/v1/activities', { activity: { ...CARD, status: 0, openIds: ['u-1'] }, options: { validityTime: 60 } });
    expect(fields(status.body)).toEqual(['activity.status']);
    const badId = await call('DELETE', '/v1/activities/a*b', { audience: ['u-1'] });
    expect(badId.status).toBe(400);
    const noBody = await call('DELETE', '/v1/activities/order-55', { audience: [] });
    expect(fields(noBody.body)).toEqual(['audience']);
    expect(await pipeline.producer.deliveries.count()).toBe(before);
  });

  it('POST /v1/campaigns takes an activity card instead of a notification', async () => {
    const created = await call('POST', '/v1/campaigns', { id: 'cards-http', activity: CARD, validityTime: 120, recipients: ['u-7', 'u-8'] });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ id: 'cards-http', recipients: 2 });
    await pipeline.sandbox.waitFor((s) => s.activities.some((r) => r.params.activityId === 'cards-http'), 10_000);
    const both = await call('POST', '/v1/campaigns', { activity: CARD, notification: { title: 't', text: 'x', navigateType: 1, language: 'en_US' }, validityTime: 60, recipients: ['u-1'] });
    expect(both.status).toBe(400);
    expect(fields(both.body)).toEqual(['activity']);
  });

  it('needs the bearer token like every other route', async () => {
    expect((await call('POST', '/v1/activities', { activity: { ...CARD, openIds: ['u-1'] }, options: { validityTime: 60 } }, 'wrong')).status).toBe(403);
    expect((await call('DELETE', '/v1/activities/x', { audience: ['u-1'] }, 'wrong')).status).toBe(403);
  });

  it('is in the generated OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(doc.paths['/v1/activities']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/v1/activities/{id}']?.delete).toBeDefined();
    expect(JSON.stringify(doc.paths['/v1/activities']?.post)).toContain('iconUrl');
  });
});
