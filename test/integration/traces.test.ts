import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { setupTelemetry, type Telemetry } from '../../src/shared/telemetry.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';

const TOKEN = 'tok-2e4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e';
const OPEN_IDS = ['u-trace-8f3a1', 'u-trace-8f3a2'];
const TITLE = 'Traced title 5d2c';
const TEXT = 'Traced text 9b7e';
const PHONE = '501234567';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry | undefined;
let pipeline: Pipeline;
let api: Api;

beforeAll(async () => {
  // Installed first: the API's and the worker's queues then carry BullMQ's telemetry too.
  telemetry = await setupTelemetry({ exporter });
  pipeline = await startPipeline({ config: { metricsPort: 0 } });
  const { secret: _secret, ...producerConfig } = pipeline.config;
  api = await startApi({ env: {}, config: { ...producerConfig, apiToken: TOKEN }, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await api?.close();
  await pipeline?.close();
  await telemetry?.shutdown();
});

async function send(notification: Record<string, unknown>): Promise<{ id: string; jobs: number }> {
  const res = await fetch(`${api.url}/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ notification }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string; jobs: number };
}

/** The spans of the trace whose delivery span names this notification, once all have ended. */
async function traceOf(notificationId: string): Promise<ReadableSpan[]> {
  let spans: ReadableSpan[] = [];
  await waitUntil(() => {
    const delivery = exporter.getFinishedSpans().find((s) => s.name === 'neupush.delivery' && s.attributes['neupush.notification.id'] === notificationId);
    if (!delivery) return false;
    spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === delivery.spanContext().traceId);
    // Complete: BullMQ's process span, the delivery span's parent, ends just after the delivery span.
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    const open = spans.filter((s) => s.parentSpanContext !== undefined && !ids.has(s.parentSpanContext.spanId));
    return spans.some((s) => s.name === 'neuxnet.sendNotify') && open.length === 0;
  });
  return spans;
}

const byName = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name) as ReadableSpan;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('traces (in-memory exporter)', () => {
  it('one API send is one connected trace, from the request to the sendNotify answer', async () => {
    const result = await send({ title: TITLE, text: TEXT, navigateType: 1, language: 'en_US', openIds: OPEN_IDS });
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'delivered', recipients: 2 }]);
    const spans = await traceOf(result.id);

    const request = byName(spans, 'POST /v1/notifications');
    const sendSpan = byName(spans, 'neupush.send');
    const delivery = byName(spans, 'neupush.delivery');
    const call = byName(spans, 'neuxnet.sendNotify');
    expect(request.attributes).toMatchObject({ 'http.route': '/v1/notifications', 'http.response.status_code': 202 });
    expect(parentOf(request)).toBeUndefined();
    expect(parentOf(sendSpan)).toBe(request.spanContext().spanId);
    expect(sendSpan.attributes).toMatchObject({ 'neupush.notification.id': result.id, 'neupush.jobs': 1, 'neupush.recipients': 2 });
    expect(delivery.attributes).toMatchObject({ 'neupush.notification.id': result.id, 'neupush.outcome': 'delivered', 'neupush.recipients': 2, 'neupush.attempt': 1 });
    expect(parentOf(call)).toBe(delivery.spanContext().spanId);
    expect(call.attributes).toMatchObject({ 'neupush.outcome': 'delivered', 'http.response.status_code': 200, 'neupush.recipients': 2 });

    // Connected: every span but the request's hangs from another span of the trace, up to the send span.
    const ids = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    for (const span of spans.filter((s) => s !== request)) expect(ids.has(parentOf(span) ?? ''), span.name).toBe(true);
    let up: ReadableSpan | undefined = delivery;
    while (up && up !== sendSpan) up = ids.get(parentOf(up) ?? '');
    expect(up).toBe(sendSpan);
  });

  it('no span attribute carries an openId, a phone number, a title, a text or the secret', async () => {
    const byPhone = await send({ title: TITLE, text: TEXT, navigateType: 1, language: 'en_US', rulesType: '2', countryCode: '+966', mobileNumber: PHONE });
    await pipeline.waitForJobs(jobIdsOf(byPhone));
    await traceOf(byPhone.id);
    const spans = exporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(8);
    const values = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.status]));
    for (const secret of [...OPEN_IDS, TITLE, TEXT, PHONE, String(pipeline.config.secret), TOKEN]) expect(values).not.toContain(secret);
  });
});
