import { once } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { got } from 'got';
import { encodeForm } from '../../src/neuxnet/form.js';
import type { Notification } from '../../src/neuxnet/notification.js';
import { SendNotifyClient } from '../../src/neuxnet/client.js';
import { sign } from '../../src/neuxnet/sign.js';
import { SEND_NOTIFY_PATH, toWireParams } from '../../src/neuxnet/wire.js';
import { startSandbox } from '../../src/sandbox/server.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';

const APPID = 'sandbox-test-appid';
const SECRET = 'sandbox-test-secret';

const toOpenIds = (...openIds: string[]): Notification => ({
  notifyType: 1,
  rulesType: '3',
  openIds,
  title: 'Hello',
  text: 'A test push',
  navigateType: '1',
  language: 'en_US',
});

/** A correctly signed form body, for calls the real client would never make. */
function signedBody(extra: Record<string, string> = {}): string {
  const params = { ...toWireParams(toOpenIds('u1'), APPID, Date.now()), ...extra };
  return encodeForm({ ...params, sign: sign(params, SECRET) });
}

const raw = got.extend({ throwHttpErrors: false, retry: { limit: 0 }, timeout: { request: 5_000 } });
const form = { 'content-type': 'application/x-www-form-urlencoded' };

let sandbox: Sandbox;
let client: SendNotifyClient;

beforeAll(async () => {
  sandbox = await startSandbox({ appid: APPID, secret: SECRET });
  client = new SendNotifyClient({ baseUrl: sandbox.url, appid: APPID, secret: SECRET, timeoutMs: 2_000 });
});

afterAll(async () => {
  client.close();
  await sandbox.close();
});

beforeEach(() => sandbox.reset());

describe('sandbox: the real client', () => {
  it('delivers and records a correct request', async () => {
    const result = await client.sendNotify(toOpenIds('u1', 'u2'));
    expect(result).toMatchObject({ outcome: 'delivered', httpStatus: 200, status: 200, msg: 'OK', recipients: 2 });
    expect(sandbox.accepted).toHaveLength(1);
    const [accepted] = sandbox.accepted;
    expect(accepted?.openIds).toEqual(['u1', 'u2']);
    expect(accepted?.params).toMatchObject({ appid: APPID, title: 'Hello', miniAppId: APPID, rulesType: '3' });
    expect(accepted?.params).not.toHaveProperty('secret');
    expect(Math.abs((accepted?.receivedAt ?? 0) - Date.now())).toBeLessThan(5_000);
    expect(sandbox.stats()).toEqual({ requests: 1, accepted: 1, rejected: 0, faulted: 0, inFlight: 0 });
  });

  it('delivers a by-phone URL notification', async () => {
    const result = await client.sendNotify({
      notifyType: 1,
      rulesType: '2',
      countryCode: '+966',
      mobileNumber: '123456789',
      title: 'تنبيه',
      text: 'خصم ٢٠٪ اليوم فقط — افتح التطبيق',
      navigateType: '2',
      url: 'https://example.com/sale?x=1&y=2',
      language: 'ar_SA',
    });
    expect(result.outcome).toBe('delivered');
    expect(sandbox.accepted[0]?.params.text).toBe('خصم ٢٠٪ اليوم فقط — افتح التطبيق');
  });

  it('classifies each fault', async () => {
    const cases: { name: string; fault: Parameters<Sandbox['setFaults']>[0][number]; expected: Record<string, unknown> }[] = [
      { name: 'HTTP 503', fault: { httpStatus: 503 }, expected: { outcome: 'retryable', httpStatus: 503, status: 503 } },
      { name: 'HTTP 500', fault: { httpStatus: 500 }, expected: { outcome: 'retryable', httpStatus: 500 } },
      { name: 'HTTP 400', fault: { httpStatus: 400 }, expected: { outcome: 'rejected', httpStatus: 400 } },
      { name: 'header 429', fault: { headerStatus: 429 }, expected: { outcome: 'retryable', httpStatus: 200, status: 429 } },
      {
        name: 'header 400 with msg',
        fault: { headerStatus: 400, msg: 'openIds invalid' },
        expected: { outcome: 'rejected', httpStatus: 200, status: 400, msg: 'openIds invalid' },
      },
      { name: 'response false', fault: { responseFalse: true }, expected: { outcome: 'retryable', httpStatus: 200, status: 200 } },
      { name: 'connection reset', fault: { destroy: true }, expected: { outcome: 'retryable' } },
    ];
    for (const { name, fault, expected } of cases) {
      sandbox.setFaults([fault]);
      const result = await client.sendNotify(toOpenIds('u1'));
      expect(result, name).toMatchObject(expected);
    }
    expect(sandbox.accepted).toHaveLength(0);
    expect(sandbox.stats()).toMatchObject({ requests: cases.length, faulted: cases.length, accepted: 0 });
  });

  it('turns Retry-After into retryAfterMs', async () => {
    sandbox.setFaults([{ httpStatus: 429, retryAfterSeconds: 7 }]);
    const result = await client.sendNotify(toOpenIds('u1'));
    expect(result).toMatchObject({ outcome: 'retryable', httpStatus: 429, retryAfterMs: 7_000 });
  });

  it('applies a rule `times` times, then answers normally', async () => {
    sandbox.setFaults([{ httpStatus: 503, times: 2 }]);
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await client.sendNotify(toOpenIds('u1'))).outcome);
    expect(outcomes).toEqual(['retryable', 'retryable', 'delivered']);
  });

  it('faults only matching requests', async () => {
    sandbox.setFaults([{ match: { openId: 'bad' }, headerStatus: 500 }, { match: { title: 'Doomed' }, httpStatus: 400 }]);
    expect((await client.sendNotify(toOpenIds('a', 'bad', 'c'))).outcome).toBe('retryable');
    expect((await client.sendNotify({ ...toOpenIds('a'), title: 'Doomed' })).outcome).toBe('rejected');
    expect((await client.sendNotify(toOpenIds('a', 'badder'))).outcome).toBe('delivered');
    expect(sandbox.accepted.map((a) => a.openIds)).toEqual([['a', 'badder']]);
  });

  it('failureRate 1 answers 503; 0 delivers', async () => {
    sandbox.setFailureRate(1);
    expect(await client.sendNotify(toOpenIds('u1'))).toMatchObject({ outcome: 'retryable', httpStatus: 503 });
    sandbox.setFailureRate(0);
    expect((await client.sendNotify(toOpenIds('u1'))).outcome).toBe('delivered');
    expect(() => sandbox.setFailureRate(1.5)).toThrow(/failureRate/);
  });

  it('delays by latencyMs, then answers normally', async () => {
    sandbox.setFaults([{ latencyMs: 150 }]);
    const result = await client.sendNotify(toOpenIds('u1'));
    expect(result.outcome).toBe('delivered');
    expect(result.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('a hung request is retryable once the client times out, and frees its slot', async () => {
    sandbox.setFaults([{ hang: true, times: 1 }]);
    const impatient = new SendNotifyClient({ baseUrl: sandbox.url, appid: APPID, secret: SECRET, timeoutMs: 300 });
    try {
      const result = await impatient.sendNotify(toOpenIds('u1'));
      expect(result.outcome).toBe('retryable');
      expect(result.msg).toMatch(/ETIMEDOUT|timeout/i);
      expect(result.durationMs).toBeGreaterThanOrEqual(280);
      await sandbox.waitFor((s) => s.stats().inFlight === 0, 2_000);
      expect((await impatient.sendNotify(toOpenIds('u1'))).outcome).toBe('delivered');
    } finally {
      impatient.close();
    }
  });

  it('rejects a wrong secret with a signature msg', async () => {
    const wrong = new SendNotifyClient({ baseUrl: sandbox.url, appid: APPID, secret: 'not-the-secret', timeoutMs: 2_000 });
    try {
      const result = await wrong.sendNotify(toOpenIds('u1'));
      expect(result).toMatchObject({ outcome: 'rejected', httpStatus: 200, status: 401 });
      expect(result.msg).toMatch(/signature/);
    } finally {
      wrong.close();
    }
    expect(sandbox.stats()).toMatchObject({ rejected: 1, accepted: 0 });
  });

  it('rejects a timestamp 10 minutes off its clock, and reports the shifted clock in Date', async () => {
    sandbox.setClockOffset(10 * 60_000);
    const result = await client.sendNotify(toOpenIds('u1'));
    expect(result).toMatchObject({ outcome: 'rejected', status: 401 });
    expect(result.msg).toMatch(/timestamp outside the 5-minute window/);

    const response = await raw.post(`${sandbox.url}${SEND_NOTIFY_PATH}`, { headers: form, body: signedBody() });
    const skew = Date.parse(response.headers.date ?? '') - Date.now();
    expect(skew).toBeGreaterThan(9 * 60_000);
    expect(skew).toBeLessThan(11 * 60_000);
  });

  it('also rejects on a clock offset given at start', async () => {
    const skewed = await startSandbox({ appid: APPID, secret: SECRET, clockOffsetMs: -10 * 60_000 });
    const c = new SendNotifyClient({ baseUrl: skewed.url, appid: APPID, secret: SECRET, timeoutMs: 2_000 });
    try {
      const result = await c.sendNotify(toOpenIds('u1'));
      expect(result.outcome).toBe('rejected');
      expect(result.msg).toMatch(/timestamp.*ahead/);
    } finally {
      c.close();
      await skewed.close();
    }
  });

  it('serves many concurrent requests over a few keep-alive sockets', async () => {
    const pooled = new SendNotifyClient({ baseUrl: sandbox.url, appid: APPID, secret: SECRET, timeoutMs: 2_000, maxSockets: 4 });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => pooled.sendNotify(toOpenIds(`u${i}`))));
      expect(results.every((r) => r.outcome === 'delivered')).toBe(true);
      expect(sandbox.stats()).toMatchObject({ requests: 200, accepted: 200, inFlight: 0 });
    } finally {
      pooled.close();
    }
  });
});

describe('sandbox: the wire', () => {
  const post = (body: string, headers: Record<string, string> = form) =>
    raw.post(`${sandbox.url}${SEND_NOTIFY_PATH}`, { headers, body });

  it('answers 404 with an envelope elsewhere', async () => {
    const response = await raw.get(`${sandbox.url}${SEND_NOTIFY_PATH}`);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ responseHeader: { status: 404 }, response: false });
    expect((await raw.post(`${sandbox.url}/elsewhere`, { headers: form, body: signedBody() })).statusCode).toBe(404);
  });

  it('answers 415 to a non-form body', async () => {
    const response = await post(JSON.stringify({ a: 1 }), { 'content-type': 'application/json' });
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body)).toMatchObject({ responseHeader: { status: 415 } });
  });

  it('accepts a form content type with a charset parameter', async () => {
    const response = await post(signedBody(), { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
    expect(JSON.parse(response.body)).toEqual({ responseHeader: { status: 200, msg: 'OK' }, response: true });
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const response = await post(signedBody({ link: 'x'.repeat(1024 * 1024) }));
    expect(response.statusCode).toBe(413);
  });

  it('flags a secret sent in the body', async () => {
    const params = toWireParams(toOpenIds('u1'), APPID, Date.now());
    const body = encodeForm({ ...params, secret: SECRET, sign: sign(params, SECRET) });
    const response = await post(body);
    expect(response.statusCode).toBe(200);
    const answer = JSON.parse(response.body) as { responseHeader: { status: number; msg: string } };
    expect(answer.responseHeader.status).toBe(400);
    expect(answer.responseHeader.msg).toMatch(/secret/);
  });

  it('is controlled over HTTP from another process', async () => {
    const control = (path: string, json?: unknown) =>
      raw.post(`${sandbox.url}/_sandbox/${path}`, json === undefined ? {} : { json });

    expect((await control('faults', { faults: [{ httpStatus: 502 }] })).statusCode).toBe(200);
    expect((await client.sendNotify(toOpenIds('u1'))).httpStatus).toBe(502);

    const bad = await control('faults', { faults: [{ httpStaus: 502 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/httpStaus/);

    expect((await control('faults', { faults: [], clockOffsetMs: 600_000 })).statusCode).toBe(200);
    expect((await client.sendNotify(toOpenIds('u1'))).msg).toMatch(/timestamp/);

    const stats = await raw.get(`${sandbox.url}/_sandbox/stats`).json();
    expect(stats).toEqual({ requests: 2, accepted: 0, rejected: 1, faulted: 1, inFlight: 0 });

    expect((await control('reset')).statusCode).toBe(200);
    expect((await client.sendNotify(toOpenIds('u1'))).outcome).toBe('delivered');
    expect(await raw.get(`${sandbox.url}/_sandbox/stats`).json()).toMatchObject({ requests: 1, accepted: 1 });
  });
});

describe('sandbox: waitFor and close', () => {
  it('waitFor resolves on a later request and rejects with the stats after its timeout', async () => {
    const waiting = sandbox.waitFor((s) => s.accepted.length === 2, 2_000);
    await client.sendNotify(toOpenIds('u1'));
    await client.sendNotify(toOpenIds('u2'));
    await waiting;
    await expect(sandbox.waitFor((s) => s.accepted.length === 5, 100)).rejects.toThrow(
      /accepted\.length === 5.*still false after 100 ms.*"accepted":2/,
    );
  });

  it('close() ends a hung request and an idle keep-alive socket instead of waiting for them', async () => {
    const own = await startSandbox({ appid: APPID, secret: SECRET, faults: [{ match: { title: 'hang' }, hang: true }] });
    const agent = new http.Agent({ keepAlive: true });
    const keepAlive = got.extend({ agent: { http: agent }, retry: { limit: 0 }, throwHttpErrors: false });
    try {
      const hung = keepAlive.post(`${own.url}${SEND_NOTIFY_PATH}`, { headers: form, body: signedBody({ title: 'hang' }) });
      hung.catch(() => undefined);
      await own.waitFor((s) => s.stats().faulted === 1, 2_000);
      // Sent while the first socket is busy, so it opens a second one that then sits idle in the pool.
      const idle = await keepAlive.post(`${own.url}${SEND_NOTIFY_PATH}`, { headers: form, body: signedBody() });
      expect(idle.statusCode).toBe(200);
      expect(own.stats().inFlight).toBe(1);

      const idleSockets = Object.values(agent.freeSockets).flat();
      expect(idleSockets).toHaveLength(1);
      const idleClosed = idleSockets.map((socket) => (socket?.destroyed ? Promise.resolve() : once(socket as Socket, 'close')));

      // server.close() alone resolves only once every connection has ended, which neither of these would do.
      await own.close();
      await expect(hung).rejects.toMatchObject({ code: 'ECONNRESET' });
      await Promise.all(idleClosed);
      expect(own.stats().inFlight).toBe(0);
      await own.close();
    } finally {
      agent.destroy();
      await own.close();
    }
  });
});
