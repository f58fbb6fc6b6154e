import { describe, it, expect } from 'vitest';
import { classify, isRetryableStatus, parseRetryAfter, type CallResult, type RawAnswer } from '../../src/neuxnet/classify.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const envelope = (status: number, response: unknown, msg = 'OK') => JSON.stringify({ responseHeader: { status, msg }, response });

describe('classify', () => {
  const cases: { name: string; answer: RawAnswer; expected: CallResult }[] = [
    {
      name: 'HTTP 200, status 200, response true -> delivered',
      answer: { httpStatus: 200, body: envelope(200, true) },
      expected: { outcome: 'delivered', httpStatus: 200, status: 200, msg: 'OK' },
    },
    {
      name: 'HTTP 201 counts as 2xx',
      answer: { httpStatus: 201, body: envelope(200, true) },
      expected: { outcome: 'delivered', httpStatus: 201, status: 200, msg: 'OK' },
    },
    {
      name: 'network error -> retryable, code kept',
      answer: { networkError: 'ECONNREFUSED' },
      expected: { outcome: 'retryable', msg: 'ECONNREFUSED' },
    },
    {
      name: 'timeout -> retryable',
      answer: { networkError: 'ETIMEDOUT: Timeout awaiting request for 10000ms' },
      expected: { outcome: 'retryable', msg: 'ETIMEDOUT: Timeout awaiting request for 10000ms' },
    },
    { name: 'no status at all -> retryable', answer: {}, expected: { outcome: 'retryable', msg: 'no answer' } },
    {
      name: 'HTTP 408 -> retryable',
      answer: { httpStatus: 408, body: 'Request Timeout' },
      expected: { outcome: 'retryable', httpStatus: 408, msg: 'answer without responseHeader (no content type, 15 bytes)' },
    },
    {
      name: 'HTTP 429 with Retry-After seconds -> retryable, delay kept',
      answer: { httpStatus: 429, body: envelope(429, false, 'Too many requests'), retryAfter: '7' },
      expected: { outcome: 'retryable', httpStatus: 429, status: 429, msg: 'Too many requests', retryAfterMs: 7_000 },
    },
    {
      name: 'HTTP 500 -> retryable',
      answer: { httpStatus: 500, body: envelope(500, false, 'Internal error') },
      expected: { outcome: 'retryable', httpStatus: 500, status: 500, msg: 'Internal error' },
    },
    {
      name: 'HTTP 503 with Retry-After as an HTTP date',
      answer: { httpStatus: 503, body: '', retryAfter: new Date(NOW + 30_000).toUTCString() },
      expected: { outcome: 'retryable', httpStatus: 503, retryAfterMs: 30_000 },
    },
    {
      name: 'header status 408 inside HTTP 200 -> retryable',
      answer: { httpStatus: 200, body: envelope(408, false, 'busy') },
      expected: { outcome: 'retryable', httpStatus: 200, status: 408, msg: 'busy' },
    },
    {
      name: 'header status 429 inside HTTP 200 -> retryable, Retry-After kept',
      answer: { httpStatus: 200, body: envelope(429, false, 'slow down'), retryAfter: '2' },
      expected: { outcome: 'retryable', httpStatus: 200, status: 429, msg: 'slow down', retryAfterMs: 2_000 },
    },
    {
      name: 'header status 502 inside HTTP 200 -> retryable',
      answer: { httpStatus: 200, body: envelope(502, null, 'upstream') },
      expected: { outcome: 'retryable', httpStatus: 200, status: 502, msg: 'upstream' },
    },
    {
      name: 'response false -> retryable, msg says why',
      answer: { httpStatus: 200, body: envelope(200, false) },
      expected: { outcome: 'retryable', httpStatus: 200, status: 200, msg: 'response was not true' },
    },
    {
      name: 'response false keeps a msg other than OK',
      answer: { httpStatus: 200, body: envelope(200, false, 'push channel busy') },
      expected: { outcome: 'retryable', httpStatus: 200, status: 200, msg: 'push channel busy' },
    },
    {
      name: 'response "true" as a string is not true',
      answer: { httpStatus: 200, body: envelope(200, 'true') },
      expected: { outcome: 'retryable', httpStatus: 200, status: 200, msg: 'response was not true' },
    },
    {
      name: 'HTTP 400 -> rejected',
      answer: { httpStatus: 400, body: envelope(400, false, 'bad parameter') },
      expected: { outcome: 'rejected', httpStatus: 400, status: 400, msg: 'bad parameter' },
    },
    {
      name: 'HTTP 404 with a plain body -> rejected, the body described, not kept',
      answer: { httpStatus: 404, body: 'Not Found', contentType: 'text/plain' },
      expected: { outcome: 'rejected', httpStatus: 404, msg: 'answer without responseHeader (text/plain, 9 bytes)' },
    },
    {
      name: 'header status 401 (bad signature) inside HTTP 200 -> rejected',
      answer: { httpStatus: 200, body: envelope(401, false, 'sign error') },
      expected: { outcome: 'rejected', httpStatus: 200, status: 401, msg: 'sign error' },
    },
    {
      name: 'header status 403 (stale timestamp) inside HTTP 200 -> rejected',
      answer: { httpStatus: 200, body: envelope(403, null, 'timestamp expired') },
      expected: { outcome: 'rejected', httpStatus: 200, status: 403, msg: 'timestamp expired' },
    },
    {
      name: 'non-JSON 2xx body -> retryable (a proxy, not the platform)',
      answer: { httpStatus: 200, body: '<html>gateway</html>', contentType: 'text/html; charset=utf-8' },
      expected: { outcome: 'retryable', httpStatus: 200, msg: 'answer without responseHeader (text/html, 20 bytes)' },
    },
    {
      name: 'empty 2xx body -> retryable',
      answer: { httpStatus: 204, body: '' },
      expected: { outcome: 'retryable', httpStatus: 204, msg: 'answer without responseHeader' },
    },
    {
      name: 'JSON 2xx without responseHeader -> retryable',
      answer: { httpStatus: 200, body: '{"response":true}', contentType: 'application/json' },
      expected: { outcome: 'retryable', httpStatus: 200, msg: 'answer without responseHeader (application/json, 17 bytes)' },
    },
    {
      name: 'responseHeader that is not an object -> not the envelope',
      answer: { httpStatus: 200, body: '{"responseHeader":"sign=abc"}' },
      expected: { outcome: 'retryable', httpStatus: 200, msg: 'answer without responseHeader (no content type, 29 bytes)' },
    },
    {
      name: 'envelope whose msg is not a string -> no msg',
      answer: { httpStatus: 400, body: JSON.stringify({ responseHeader: { status: 400, msg: { echo: 'sign=abc' } } }) },
      expected: { outcome: 'rejected', httpStatus: 400, status: 400 },
    },
    {
      name: 'HTTP 301 -> rejected (not followed, not 2xx)',
      answer: { httpStatus: 301, body: '' },
      expected: { outcome: 'rejected', httpStatus: 301 },
    },
  ];

  it.each(cases)('$name', ({ answer, expected }) => {
    expect(classify(answer, NOW)).toStrictEqual(expected);
  });

  it('never keeps text of an answer that is not the envelope: a gateway echoing the request', () => {
    const echo = 'appid=a&mobileNumber=966501234567&sign=0123456789abcdef&title=Hi';
    for (const httpStatus of [200, 400, 502]) {
      const result = classify({ httpStatus, body: echo, contentType: 'application/x-www-form-urlencoded' }, NOW);
      expect(JSON.stringify(result)).not.toMatch(/966501234567|sign=|0123456789abcdef/);
      expect(result.msg).toBe(`answer without responseHeader (application/x-www-form-urlencoded, ${echo.length} bytes)`);
    }
  });

  it('keeps at most 200 characters of the envelope msg', () => {
    const result = classify({ httpStatus: 500, body: envelope(500, false, 'x'.repeat(1_000)) }, NOW);
    expect(result.msg).toHaveLength(200);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
  ])('%i -> %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    { value: undefined, expected: undefined },
    { value: '', expected: undefined },
    { value: '   ', expected: undefined },
    { value: '0', expected: 0 },
    { value: '120', expected: 120_000 },
    { value: ' 3 ', expected: 3_000 },
    { value: '1.5', expected: 1_500 },
    { value: new Date(NOW + 90_000).toUTCString(), expected: 90_000 },
    { value: new Date(NOW - 90_000).toUTCString(), expected: 0 },
    { value: 'Sunday, 01-Mar-26 12:01:30 GMT', expected: 90_000 },
    { value: 'Sun Mar  1 12:01:30 2026', expected: 90_000 },
    { value: 'soon', expected: undefined },
    { value: '-5', expected: undefined },
    { value: 'abc 2099', expected: undefined },
    { value: '2099-01-01', expected: undefined },
  ])('$value -> $expected ms', ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
