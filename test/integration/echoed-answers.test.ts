import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeForm } from '../../src/neuxnet/form.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

/** A gateway that answers every request with the request's own body, under a chosen status. */
async function startEchoServer(httpStatus: number, contentType: string): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(httpStatus, { 'content-type': contentType });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let pipeline: Pipeline | undefined;
let echo: Awaited<ReturnType<typeof startEchoServer>> | undefined;
afterEach(async () => {
  await pipeline?.close();
  await echo?.close();
  pipeline = undefined;
  echo = undefined;
});

const MOBILE = '501234567';
const byPhone = { title: 'Code', text: 'Your code is 1234', navigateType: 2, url: 'https://example.com/', rulesType: 2, countryCode: '+966', mobileNumber: MOBILE } as const;

describe('an answer that echoes the request', () => {
  it.each([
    { httpStatus: 400, contentType: 'text/plain', reason: 'rejected' },
    { httpStatus: 502, contentType: 'text/html', reason: 'exhausted' },
    { httpStatus: 200, contentType: 'application/x-www-form-urlencoded', reason: 'exhausted' },
  ])('HTTP $httpStatus ($contentType): no sign or phone number in logs, failedReason or the dead letter', async ({ httpStatus, contentType, reason }) => {
    echo = await startEchoServer(httpStatus, contentType);
    pipeline = await startPipeline({ logLevel: 'trace', config: { baseUrl: echo.url, attempts: 2, backoffMs: 10 } });
    const sent = await pipeline.producer.send(byPhone);
    const [jobId] = jobIdsOf(sent);

    const [entry] = await pipeline.waitForDeadLetters(1, 15_000);
    expect(entry).toMatchObject({ reason, lastHttpStatus: httpStatus });
    expect(entry!.lastError).toMatch(new RegExp(`answer without responseHeader \\(${contentType.replace('/', '\\/')}, \\d+ bytes\\)`));
    const signs = echo.bodies.map((b) => decodeForm(b).sign as string);
    expect(signs.length).toBeGreaterThan(0);
    expect(echo.bodies[0]).toContain(MOBILE);

    const job = (await pipeline.producer.deliveries.getJob(jobId!)) as Job;
    const { notification: _kept, ...letter } = entry!;
    const stored = [pipeline.logs.text(), JSON.stringify(letter), job.failedReason ?? '', ...(job.stacktrace ?? [])];
    for (const text of stored) {
      expect(text).not.toContain('sign=');
      expect(text).not.toContain(MOBILE);
      for (const sign of signs) expect(text).not.toContain(sign);
    }
    // Something was logged about the failure, only not the body.
    expect(pipeline.logs.lines().some((l) => l.msg === 'dead-lettered')).toBe(true);
  });
});
