import Fastify from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
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
});
