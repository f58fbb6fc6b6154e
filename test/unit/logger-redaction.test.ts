import Fastify from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createLogger, plainLineLogger } from '../../src/shared/logger.js';
import { createLogCapture } from '../helpers/log-capture.js';

const PHONE = '501234567';
const notification = { title: 'OTP', text: 'Your code', navigateType: 2, url: 'https://example.com', rulesType: 2, countryCode: '+966', mobileNumber: PHONE };

describe('log redaction', () => {
  it('never writes a phone number, a signature or a secret, wherever the notification sits', () => {
    const capture = createLogCapture();
    const log = createLogger({ level: 'trace', destination: capture });
    log.info({ notification }, 'top level');
    log.info({ data: { notification } }, 'job data');
    log.info({ delivery: { notification } }, 'dead letter');
    log.child({ jobId: 'j-1' }).warn({ params: { sign: 'abc123signature', mobileNumber: PHONE }, secret: 's3cr3t' }, 'request');
    expect(capture.lines()).toHaveLength(4);
    expect(capture.text()).not.toContain(PHONE);
    expect(capture.text()).not.toContain('abc123signature');
    expect(capture.text()).not.toContain('s3cr3t');
    expect(capture.lines()[0]).toMatchObject({ notification: { mobileNumber: '[redacted]', countryCode: '+966' } });
  });

  it('never writes an Authorization header, also through fastify request logging', async () => {
    const capture = createLogCapture();
    const log = createLogger({ level: 'trace', destination: capture });
    log.info({ req: { headers: { authorization: 'Bearer tok-xyz' } } }, 'by hand');
    const app = Fastify({ loggerInstance: log as FastifyBaseLogger });
    app.get('/', async (request) => {
      request.log.info({ headers: request.headers }, 'handler logs the headers');
      return 'ok';
    });
    const res = await app.inject({ method: 'GET', url: '/', headers: { authorization: 'Bearer tok-xyz' } });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(capture.lines().length).toBeGreaterThanOrEqual(3);
    expect(capture.text()).not.toContain('tok-xyz');
  });

  it('plainLineLogger writes a line of ids and counts as the logger would, and follows its level; an application logger keeps its own redaction', () => {
    const capture = createLogCapture();
    const log = createLogger({ level: 'info', destination: capture });
    const fields = { queue: 'q', jobId: 'n-1.0', attempt: 1, recipients: 100, ms: 12 };
    log.info(fields, 'delivered');
    plainLineLogger(log).info(fields, 'delivered');
    const [redacted, plain] = capture.lines().map(({ time: _t, ...rest }) => rest);
    expect(plain).toEqual(redacted);
    log.level = 'warn';
    plainLineLogger(log).info(fields, 'not written');
    expect(capture.lines()).toHaveLength(2);
    // The root keeps redacting.
    log.warn({ secret: 's3cr3t' }, 'still redacted');
    expect(capture.text()).not.toContain('s3cr3t');

    const theirs = pino({ redact: ['jobId'] }, createLogCapture());
    expect(plainLineLogger(theirs)).toBe(theirs);
  });
});
