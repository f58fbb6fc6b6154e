import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const notification = { title: 'Flash sale', text: 'Ends at noon', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] } as const;

describe('retries', () => {
  it('two failures then success: three calls, delivered, no dead letter', async () => {
    pipeline = await startPipeline({ sandbox: { faults: [{ times: 2, httpStatus: 503 }] } });
    const result = await pipeline.producer.send(notification);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'delivered', recipients: 2 }]);

    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 3, faulted: 2, accepted: 1 });
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
    const retries = pipeline.logs.lines().filter((l) => l.msg === 'will retry');
    expect(retries).toHaveLength(2);
  });

  it.each([
    { how: 'a connection reset', fault: { times: 1, destroy: true } },
    // Short, but not so short that the healthy retry could time out on a busy machine.
    { how: 'no answer within the timeout', fault: { times: 1, hang: true }, timeoutMs: 1_000 },
    { how: 'response false', fault: { times: 1, responseFalse: true } },
  ])('retries after $how and delivers once', async ({ fault, timeoutMs }) => {
    pipeline = await startPipeline({ config: { ...(timeoutMs && { timeoutMs }) }, sandbox: { faults: [fault] } });
    const result = await pipeline.producer.send(notification);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'delivered', recipients: 2 }]);
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 2, faulted: 1, accepted: 1 });
    expect(await pipeline.producer.listDeadLetters()).toEqual([]);
  });

  it('honours Retry-After on a 429: the retry comes at least 1 s later', async () => {
    pipeline = await startPipeline({ sandbox: { faults: [{ times: 1, httpStatus: 429, retryAfterSeconds: 1 }] } });
    // Stamped when the sandbox counts the 429, which is before it answers: a lower bound on when the retry was decided.
    let faultedAt = 0;
    const sawFault = pipeline.sandbox.waitFor((s) => {
      if (faultedAt === 0 && s.stats().faulted > 0) faultedAt = Date.now();
      return faultedAt > 0;
    });
    const result = await pipeline.producer.send(notification);
    await pipeline.waitForJobs(jobIdsOf(result));
    await sawFault;

    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 2, faulted: 1, accepted: 1 });
    const retry = pipeline.logs.lines().find((l) => l.msg === 'will retry');
    expect(retry?.delayMs).toBeGreaterThanOrEqual(1_000);
    expect(pipeline.sandbox.accepted[0]!.receivedAt - faultedAt).toBeGreaterThanOrEqual(1_000);
  });
});
