import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { got } from 'got';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { createLogCapture } from '../helpers/log-capture.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';

const PHONE = '501234567';
const OPEN_ID = 'ou-private-7f3a';
const job = JSON.stringify({ notification: { rulesType: '2', countryCode: '+966', mobileNumber: PHONE, title: 'OTP', openIds: [OPEN_ID] } });

/** What a rejected promise rejected with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function logged(error: unknown): { text: string; err: Record<string, unknown> } {
  const capture = createLogCapture();
  createLogger({ level: 'info', destination: capture }).error({ err: error }, 'call failed');
  const [line] = capture.lines();
  return { text: capture.text(), err: line?.err as Record<string, unknown> };
}

describe('errors of Redis commands in logs', () => {
  const prefix = testPrefix();
  const key = `${prefix}:a-string`;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(redisUrl());
    await redis.set(key, 'not a hash');
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('keep name, message and stack of a WRONGTYPE error but not the job JSON in its command arguments', async () => {
    const error = await rejection(redis.hset(key, 'data', job));
    expect(JSON.stringify((error as unknown as { command: unknown }).command)).toContain(PHONE);
    const { text, err } = logged(error);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(OPEN_ID);
    expect(err).toMatchObject({ type: 'ReplyError', message: expect.stringMatching(/^WRONGTYPE/), stack: expect.stringContaining('WRONGTYPE') });
    expect(err).not.toHaveProperty('command');
  });

  it('scrub the arguments Redis quotes in the message of an unknown command', async () => {
    const error = await rejection(redis.call('NEUPUSH-NO-SUCH-COMMAND', job));
    expect(error.message).toContain(PHONE);
    const { text, err } = logged(error);
    expect(text).not.toContain(PHONE);
    expect(err.message).toMatch(/unknown command/);
  });

  it('scrub an argument a Lua script puts into its error reply', async () => {
    const error = await rejection(redis.eval("return redis.error_reply('bad job ' .. ARGV[1])", 1, key, job));
    expect(error.message).toContain(PHONE);
    const { text, err } = logged(error);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(OPEN_ID);
    expect(err.message).toMatch(/^bad job/);
  });

  it("drop EXECABORT's previous errors, which carry their commands", async () => {
    const error = await rejection(redis.multi().call('NEUPUSH-NO-SUCH-COMMAND', job).exec());
    expect(error).toHaveProperty('previousErrors');
    const { text, err } = logged(error);
    expect(text).not.toContain(PHONE);
    expect(err.message).toMatch(/EXECABORT/);
  });

  it('keep a sanitised cause chain, also through a fastify request logger', async () => {
    const cause = await rejection(redis.hset(key, 'data', job));
    const wrapped = new Error('could not queue', { cause });
    const capture = createLogCapture();
    const app = Fastify({ loggerInstance: createLogger({ level: 'info', destination: capture }) as FastifyBaseLogger });
    app.get('/', async (request) => {
      request.log.error({ err: wrapped }, 'request failed');
      return 'ok';
    });
    await app.inject({ method: 'GET', url: '/' });
    await app.close();
    expect(capture.text()).not.toContain(PHONE);
    const line = capture.lines().find((l) => l.msg === 'request failed');
    expect(line?.err).toMatchObject({ message: 'could not queue', cause: { type: 'ReplyError', message: expect.stringMatching(/^WRONGTYPE/) } });
  });
});

describe('errors of HTTP calls in logs', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    // Echoes the request body in a 500, as a misbehaving gateway might.
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'text/plain', 'x-echo': encodeURIComponent(body) });
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sendNotify`;
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  it("keep a got HTTPError's status but not its options, request, response body or headers", async () => {
    const error = await rejection(got.post(url, { form: { mobileNumber: PHONE, sign: 'sig-abc' }, retry: { limit: 0 } }));
    expect(error.name).toBe('HTTPError');
    const { text, err } = logged(error);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain('sig-abc');
    expect(err).toMatchObject({ type: 'HTTPError', code: 'ERR_NON_2XX_3XX_RESPONSE', statusCode: 500 });
    for (const field of ['options', 'request', 'response', 'timings', 'input']) expect(err).not.toHaveProperty(field);
  });

  it("keep a got RequestError's code but not the form it was sending", async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const error = await rejection(got.post(`http://127.0.0.1:${port}/`, { form: { mobileNumber: PHONE }, retry: { limit: 0 } }));
    const { text, err } = logged(error);
    expect(text).not.toContain(PHONE);
    expect(err).toMatchObject({ type: 'RequestError', code: 'ECONNREFUSED' });
  });
});
