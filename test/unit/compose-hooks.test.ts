import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { composeHooks } from '../../src/worker/compose-hooks.js';
import type { ProcessorHooks } from '../../src/worker/processor.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import type { SendNotifyResult } from '../../src/neuxnet/client.js';

const data = {} as DeliveryJobData;
const job = {} as Job;
const result = { outcome: 'delivered', durationMs: 5, recipients: 1 } as SendNotifyResult;

function recorder(name: string, calls: string[], drop?: string): ProcessorHooks {
  return {
    beforeSend: () => {
      calls.push(`${name}.before`);
      return drop;
    },
    afterSend: () => {
      calls.push(`${name}.after`);
    },
    onCall: () => {
      calls.push(`${name}.call`);
    },
  };
}

describe('composeHooks', () => {
  it('runs every hook in order; the first drop wins and releases the hooks that had said go', async () => {
    const calls: string[] = [];
    const hooks = composeHooks(recorder('a', calls), undefined, recorder('b', calls, 'cancelled'), recorder('c', calls));
    expect(await hooks.beforeSend?.(data, job)).toBe('cancelled');
    expect(calls).toEqual(['a.before', 'b.before', 'a.after']);
  });

  it('isolates a throwing onCall observer; surfaces the first error of awaited hooks after running all', async () => {
    const calls: string[] = [];
    const hooks = composeHooks(
      { onCall: () => { throw new Error('observer bug'); }, onDelivered: () => { throw new Error('counter down'); } },
      { ...recorder('b', calls), onDelivered: () => { calls.push('b.delivered'); } },
    );
    hooks.onCall?.(data, result, 0, job);
    expect(calls).toEqual(['b.call']);
    await expect(hooks.onDelivered?.(data, job)).rejects.toThrow('counter down');
    expect(calls).toEqual(['b.call', 'b.delivered']);
  });

  it('a beforeSend that throws releases the earlier hooks and rethrows', async () => {
    const calls: string[] = [];
    const hooks = composeHooks(recorder('a', calls), { beforeSend: () => { throw new Error('redis down'); } });
    await expect(hooks.beforeSend?.(data, job)).rejects.toThrow('redis down');
    expect(calls).toEqual(['a.before', 'a.after']);
  });
});
