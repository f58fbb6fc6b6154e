import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';
import type { ProcessorHooks } from '../../src/worker/processor-hooks.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const base = { text: 'Body', navigateType: 1, language: 'en_US', openIds: ['u-1'] } as const;
const bug = (name: string) => () => {
  throw new Error(`${name} bug`);
};

describe("a caller's hook that throws", () => {
  it('is logged with its name and stack; the worker keeps delivering and retrying', async () => {
    pipeline = await startPipeline({ worker: false, sandbox: { faults: [{ match: { title: 'Flaky' }, times: 1, httpStatus: 503 }] } });
    const hooks: ProcessorHooks = { onCall: bug('onCall'), onRetry: bug('onRetry') };
    const handle = await pipeline.startWorker({ hooks });
    const sent = await Promise.all([pipeline.producer.send({ ...base, title: 'Plain' }), pipeline.producer.send({ ...base, title: 'Flaky' })]);

    const outcomes = await pipeline.waitForJobs(sent.flatMap(jobIdsOf));
    expect(outcomes.every((o) => o.status === 'delivered')).toBe(true);
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 3, accepted: 2 });
    const thrown = pipeline.logs.lines().filter((l) => l.msg === 'a worker hook threw');
    expect(thrown.map((l) => l.hook).sort()).toEqual(['caller.onCall', 'caller.onCall', 'caller.onCall', 'caller.onRetry']);
    expect(thrown[0]?.err).toMatchObject({ type: 'Error', message: expect.stringMatching(/bug$/), stack: expect.stringContaining('throwing-hooks.test') });

    // Still running: the next send goes out as well.
    const after = await pipeline.producer.send({ ...base, title: 'After' });
    expect(await pipeline.waitForJobs(jobIdsOf(after))).toEqual([{ status: 'delivered', recipients: 1 }]);
    expect(handle.worker.isRunning()).toBe(true);
  });

  it('an awaited hook that throws fails the attempt (retried, nothing lost) and is logged by name', async () => {
    pipeline = await startPipeline({ worker: false });
    let failures = 1;
    await pipeline.startWorker({
      hooks: {
        onDelivered: () => {
          if (failures-- > 0) throw new Error('counter write failed');
        },
      },
    });
    const sent = await pipeline.producer.send({ ...base, title: 'Counted' });
    // The retry finds the sent record: no second call, and this time the hook goes through.
    expect(await pipeline.waitForJobs(jobIdsOf(sent))).toEqual([{ status: 'duplicate-suppressed' }]);
    expect(pipeline.sandbox.stats()).toMatchObject({ requests: 1, accepted: 1 });
    expect(pipeline.logs.lines()).toContainEqual(
      expect.objectContaining({ hook: 'caller.onDelivered', err: expect.objectContaining({ message: 'counter write failed' }) }),
    );
  });
});
