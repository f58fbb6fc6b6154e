import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { scanKeys } from '../helpers/key-snapshot.js';

const TOKEN = 'tok-7c1e9a3f5b2d4a6f8e0c1b3d5f7a9c2e';
const NOTE = { title: 'Sale', text: 'Half price', navigateType: 1, language: 'en_US' };

// A full collection before each heap reading, so the figure is what is still held, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let pipeline: Pipeline;
let api: Api;

beforeAll(async () => {
  pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 }, logLevel: 'warn' });
  const { secret: _secret, ...producerConfig } = pipeline.config;
  api = await startApi({ env: {}, config: { ...producerConfig, apiToken: TOKEN }, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'fatal' }) });
});

afterAll(async () => {
  await api?.close();
  await pipeline?.close();
});

const bearer = { authorization: `Bearer ${TOKEN}` };

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}/v1/campaigns`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * An NDJSON upload that never ends by itself: the header, then `line(i)` for i = 0 .. count-1, then it
 * stalls. An answer can therefore only come from a server that refused the body before its end.
 */
function endlessUpload(header: unknown, line: (i: number) => string, count: number) {
  const encoder = new TextEncoder();
  let sent = 0;
  let stalled: () => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${JSON.stringify(header)}\n`));
    },
    async pull(controller) {
      if (sent === count) return new Promise<void>((resolve) => (stalled = resolve));
      controller.enqueue(encoder.encode(`${line(sent++)}\n`));
    },
  });
  const abort = new AbortController();
  const response = fetch(`${api.url}/v1/campaigns`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/x-ndjson' },
    body,
    duplex: 'half',
    signal: abort.signal,
  } as RequestInit);
  return {
    response,
    sent: () => sent,
    stop: () => {
      stalled();
      abort.abort();
    },
  };
}

describe('campaign intake over HTTP under hostile input', () => {
  it('64 KiB lines of [{},{},...] are refused at the first one (413 naming it), and the heap stays flat', async () => {
    const hostile = `[${Array.from({ length: 21_800 }, () => '{}').join(',')}]`;
    expect(hostile.length).toBeGreaterThan(64_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    const upload = endlessUpload({ id: 'hostile-64k', notification: NOTE }, () => hostile, 150);
    try {
      const res = await upload.response;
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ issues: [{ field: 'line 2', rule: 'must be at most 1024 bytes (a recipient line)' }] });
    } finally {
      upload.stop();
    }
    gc();
    // Before the line bound and the per-record check, 60 such lines held 77 MB until their batch was full.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 1024 * 1024);
    expect((await fetch(`${api.url}/v1/campaigns/hostile-64k`, { headers: bearer })).status).toBe(404);
  });

  it('lines under the bound that are no recipient are refused at the first one, not after a batch of them', async () => {
    const hostile = `[${Array.from({ length: 330 }, () => '{}').join(',')}]`;
    expect(hostile.length).toBeLessThanOrEqual(1024);
    const upload = endlessUpload({ id: 'hostile-1k', notification: NOTE }, (i) => (i === 0 ? '"u-1"' : hostile), 20_000);
    try {
      const res = await upload.response;
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ issues: [{ field: 'recipients.1', rule: 'must be an openId string or { openId, timezone, language }' }] });
    } finally {
      upload.stop();
    }
    // Refused as it arrived: most of the upload was never asked for.
    expect(upload.sent()).toBeLessThan(20_000);
  });
});

describe('campaign creation over HTTP: refusals and Idempotency-Key', () => {
  it('a refused NDJSON campaign leaves nothing: GET is a 404 and a corrected upload with the same id is accepted', async () => {
    const header = JSON.stringify({ id: 'http-refused', notification: NOTE });
    const send = (text: string) =>
      fetch(`${api.url}/v1/campaigns`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/x-ndjson' }, body: text });
    const bad = await send(`${header}\n"r-1"\n{"openId":"r-2","tz":"UTC"}\n"r-3"\n`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ issues: [{ field: 'recipients.1' }] });
    expect((await fetch(`${api.url}/v1/campaigns/http-refused`, { headers: bearer })).status).toBe(404);
    const list = (await (await fetch(`${api.url}/v1/campaigns`, { headers: bearer })).json()) as { campaigns: { id: string }[] };
    expect(list.campaigns.map((c) => c.id)).not.toContain('http-refused');

    const fixed = await send(`${header}\n"r-1"\n{"openId":"r-2","timezone":"UTC"}\n"r-3"\n`);
    expect(fixed.status).toBe(202);
    expect(await fixed.json()).toMatchObject({ id: 'http-refused', recipients: 3, existing: false });
  });

  it('the same Idempotency-Key: the same request is the same campaign, a different one is a 409', async () => {
    const key = { 'idempotency-key': 'order-7731-campaign' };
    const body = { notification: NOTE, recipients: ['k-1', 'k-2', 'k-3'], expiresIn: '2h' };
    const first = await post(body, key);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ recipients: 3, existing: false });
    const again = await post(body, key);
    expect(again).toMatchObject({ status: 202, body: { id: first.body.id, recipients: 3, existing: true } });
    for (const other of [
      { ...body, recipients: ['k-1', 'k-2', 'k-4'] },
      { ...body, notification: { ...NOTE, text: 'Other' } },
      { ...body, expiresIn: '3h' },
    ]) {
      const refused = await post(other, key);
      expect(refused.status).toBe(409);
      expect(String(refused.body.error)).toContain(`campaign ${String(first.body.id)} already exists with`);
    }
    // Another key is another campaign.
    expect((await post(body, { 'idempotency-key': 'order-7732-campaign' })).body).toMatchObject({ existing: false });
  });
});

const BILINGUAL = { ...NOTE, translations: { zh_CN: { title: '特卖', text: '半价' } } };

async function postTo(path: string, body: string, contentType: string) {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { ...bearer, 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /v1/campaigns?dryRun=true', () => {
  it('answers 200 with the plan, for JSON and NDJSON, and writes no key', async () => {
    // The queues opened by the producer and the API write their meta keys in the background, once.
    await waitUntil(async () => (await scanKeys(pipeline.redis, pipeline.prefix)).length >= 2, { message: 'the queues to write their meta keys' });
    const before = await scanKeys(pipeline.redis, pipeline.prefix);
    const recipients = [{ openId: 'a', language: 'zh_CN' }, 'b', { openId: 'c', language: 'ar_SA' }, 'b'];
    const json = await postTo('/v1/campaigns?dryRun=true', JSON.stringify({ id: 'dry-http', notification: BILINGUAL, recipients }), 'application/json');
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      dryRun: true,
      id: 'dry-http',
      read: 4,
      recipients: 3,
      requests: 2,
      byLanguage: { zh_CN: { recipients: 1, requests: 1 }, en_US: { recipients: 2, requests: 1 } },
      sendTimes: { distinct: 1 },
    });
    const lines = [JSON.stringify({ notification: BILINGUAL }), ...recipients.map((r) => JSON.stringify(r))].join('\n');
    const ndjson = await postTo('/v1/campaigns?dryRun=true', `${lines}\n`, 'application/x-ndjson');
    expect(ndjson.status).toBe(200);
    expect(ndjson.body).toMatchObject({ dryRun: true, recipients: 3, requests: 2 });
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);
  });

  it('answers 400 naming the first bad record, and an unknown query parameter, writing nothing', async () => {
    const before = await scanKeys(pipeline.redis, pipeline.prefix);
    const bad = await postTo('/v1/campaigns?dryRun=true', JSON.stringify({ notification: BILINGUAL, recipients: ['a', { openId: 'b', language: 'xx' }] }), 'application/json');
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ field: 'recipients.1', rule: 'language must be one of en_US, ar_SA, zh_CN' }]);
    const typo = await postTo('/v1/campaigns?dry_run=true', JSON.stringify({ notification: BILINGUAL, recipients: ['a'] }), 'application/json');
    expect(typo.status).toBe(400);
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);
  });
});

/** `HH:MM` in UTC, `minutes` from now. */
function utcClock(minutes: number): string {
  const d = new Date(Date.now() + minutes * 60_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

describe('POST /v1/campaigns with quietHours and throttle', () => {
  it('answers 400 naming the field for bad quiet hours or throttle, writing nothing', async () => {
    const before = await scanKeys(pipeline.redis, pipeline.prefix);
    const cases: [Record<string, unknown>, string][] = [
      [{ quietHours: { from: '22:00', to: '22:00' } }, 'quietHours.to'],
      [{ quietHours: { from: '25:00', to: '08:00' } }, 'quietHours.from'],
      [{ quietHours: '22:00-08:00' }, 'quietHours'],
      [{ quietHours: { from: '22:00', to: '08:00', tz: 'UTC' } }, 'quietHours'],
      [{ throttle: { perMinute: 0 } }, 'throttle.perMinute'],
      [{ throttle: { perMinute: 2.5 } }, 'throttle.perMinute'],
      [{ throttle: 100 }, 'throttle'],
    ];
    for (const [extra, field] of cases) {
      const res = await post({ notification: NOTE, recipients: [{ openId: 'a', timezone: 'UTC' }], ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect((res.body.issues as { field: string }[]).map((i) => i.field), JSON.stringify(extra)).toContain(field);
    }
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);
  });

  it('moves the recipients inside the window and paces; GET shows heldByQuietHours and expectedFinishAt as the dry run planned', async () => {
    // A window around now on the UTC clock: the UTC recipients are inside it, Riyadh (3 h ahead) is past its end.
    const quietHours = { from: utcClock(-60), to: utcClock(120) };
    const recipients = [{ openId: 'q1', timezone: 'UTC' }, { openId: 'q2', timezone: 'UTC' }, { openId: 'r1', timezone: 'Asia/Riyadh' }, 'q3'];
    const request = { id: 'http-quiet', notification: NOTE, recipients, quietHours, defaultTimezone: 'UTC', throttle: { perMinute: 1 } };
    const plan = await postTo('/v1/campaigns?dryRun=true', JSON.stringify(request), 'application/json');
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ heldByQuietHours: 3, requests: 4, sendTimes: { distinct: 4 } });
    const created = await post(request);
    expect(created.status).toBe(202);
    const res = await fetch(`${api.url}/v1/campaigns/http-quiet`, { headers: bearer });
    const status = (await res.json()) as Record<string, unknown>;
    expect(status).toMatchObject({ heldByQuietHours: 3, throttle: 1, quietHours: `${quietHours.from}-${quietHours.to}`, expectedFinishAt: plan.body.expectedFinishAt });
    // perMinute 1: one recipient per request, a minute apart within each send time.
    expect(status.jobs).toBe(4);
  });
});
