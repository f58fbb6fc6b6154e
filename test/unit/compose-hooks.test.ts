import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { composeHooks } from '../../src/worker/compose-hooks.js';
import type { ProcessorHooks } from '../../src/worker/processor-hooks.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import type { SendNotifyResult } from '../../src/neuxnet/client.js';
import { createLogger } from '../../src/shared/logger.js';
import { createLogCapture } from '../helpers/log-capture.js';

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

function compose(named: Record<string, ProcessorHooks | undefined>) {
  const logs = createLogCapture();
  return { hooks: composeHooks(createLogger({ level: 'info', destination: logs }), named), logs };
}

const thrower = (message: string) => () => {
  throw new Error(message);
};

describe('composeHooks', () => {
  it('runs every hook in order; the first drop wins and releases the hooks that had said go', async () => {
    const calls: string[] = [];
    const { hooks } = compose({ a: recorder('a', calls), none: undefined, b: recorder('b', calls, 'cancelled'), c: recorder('c', calls) });
    expect(await hooks.beforeSend?.(data, job)).toBe('cancelled');
    expect(calls).toEqual(['a.before', 'b.before', 'a.after']);
  });

  it('isolates a throwing onCall observer and logs it by name; surfaces the first error of awaited hooks after running all', async () => {
    const calls: string[] = [];
    const { hooks, logs } = compose({
      broken: { onCall: thrower('observer bug'), onDelivered: thrower('counter down') },
      b: { ...recorder('b', calls), onDelivered: () => void calls.push('b.delivered') },
    });
    hooks.onCall?.(data, result, 0, job);
    expect(calls).toEqual(['b.call']);
    await expect(hooks.onDelivered?.(data, job)).rejects.toThrow('counter down');
    expect(calls).toEqual(['b.call', 'b.delivered']);
    const lines = logs.lines().filter((l) => l.msg === 'a worker hook threw');
    expect(lines.map((l) => l.hook)).toEqual(['broken.onCall', 'broken.onDelivered']);
    // As an object, so pino's serializer keeps the stack.
    expect(lines[0]?.err).toMatchObject({ type: 'Error', message: 'observer bug', stack: expect.stringContaining('observer bug') });
  });

  it('a single hook set is guarded too: a throwing onRetry is logged, not thrown into the processor', () => {
    const { hooks, logs } = compose({ caller: { onRetry: thrower('caller bug') } });
    expect(() => hooks.onRetry?.(data, 100, result)).not.toThrow();
    expect(logs.lines()).toContainEqual(expect.objectContaining({ hook: 'caller.onRetry', err: expect.objectContaining({ message: 'caller bug' }) }));
  });

  it('a beforeSend that throws releases the earlier hooks, is logged and rethrown', async () => {
    const calls: string[] = [];
    const { hooks, logs } = compose({ a: recorder('a', calls), campaign: { beforeSend: thrower('redis down') } });
    await expect(hooks.beforeSend?.(data, job)).rejects.toThrow('redis down');
    expect(calls).toEqual(['a.before', 'a.after']);
    expect(logs.lines().map((l) => l.hook)).toEqual(['campaign.beforeSend']);
  });

  it('an afterSend that throws while releasing after a drop is logged, and the drop stands', async () => {
    const { hooks, logs } = compose({ a: { beforeSend: () => undefined, afterSend: thrower('release failed') }, b: { beforeSend: () => 'cancelled' } });
    expect(await hooks.beforeSend?.(data, job)).toBe('cancelled');
    expect(logs.lines().map((l) => l.hook)).toEqual(['a.afterSend']);
  });

  it('answers without a promise while every hook does, leaves out hooks no set has, and awaits one that returns a promise', async () => {
    const calls: string[] = [];
    const { hooks } = compose({ a: recorder('a', calls), b: { beforeSend: () => undefined } });
    expect(hooks.beforeSend?.(data, job)).toBeUndefined();
    expect(hooks.afterSend?.(data, job)).toBeUndefined();
    expect(hooks.onDelivered).toBeUndefined();
    expect(hooks.onRetry).toBeUndefined();
    const later = compose({ a: recorder('a', calls), slow: { beforeSend: () => Promise.resolve('cancelled'), afterSend: () => Promise.resolve() } }).hooks;
    const answer = later.beforeSend?.(data, job);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toBe('cancelled');
    expect(later.afterSend?.(data, job)).toBeInstanceOf(Promise);
  });
});
