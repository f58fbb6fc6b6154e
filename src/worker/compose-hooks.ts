import type { Job } from 'bullmq';
import type { DeliveryJobData } from '../shared/job-data.js';
import type { ProcessorHooks } from './processor.js';

/**
 * Several observers on one processor (metrics, campaign counters, a caller's own hooks), in order.
 *
 * `beforeSend`: the first reason to drop wins and the rest are not asked; hooks that had already said
 * "go ahead" get their `afterSend` at once, because the processor only calls `afterSend` when the whole
 * chain let the call happen, and a hook may hold something (a counter, a slot) until `afterSend`.
 * Synchronous observers (onCall, onRetry) are isolated: one that throws neither stops the others nor the job.
 */
export function composeHooks(...list: (ProcessorHooks | undefined)[]): ProcessorHooks {
  const hooks = list.filter((h): h is ProcessorHooks => h !== undefined);
  if (hooks.length === 1) return hooks[0] as ProcessorHooks;

  const each = <K extends keyof ProcessorHooks>(name: K, call: (hook: ProcessorHooks) => void) => {
    for (const hook of hooks) {
      if (hook[name] === undefined) continue;
      try {
        call(hook);
      } catch {
        // An observer's fault is not the delivery's fault.
      }
    }
  };
  // Awaited hooks may write state (campaign counters): every one runs, then the first error surfaces, so the
  // job fails and is retried rather than losing a count.
  const eachAsync = async (name: keyof ProcessorHooks, call: (hook: ProcessorHooks) => unknown) => {
    let first: { error: unknown } | undefined;
    for (const hook of hooks) {
      if (hook[name] === undefined) continue;
      try {
        await call(hook);
      } catch (error) {
        first ??= { error };
      }
    }
    if (first) throw first.error;
  };

  return {
    async beforeSend(data: DeliveryJobData, job: Job) {
      const passed: ProcessorHooks[] = [];
      for (const hook of hooks) {
        if (!hook.beforeSend) continue;
        let why: string | undefined;
        try {
          why = await hook.beforeSend(data, job);
        } catch (error) {
          await releaseEarlier(passed, data, job);
          throw error;
        }
        if (why !== undefined) {
          await releaseEarlier(passed, data, job);
          return why;
        }
        passed.push(hook);
      }
      return undefined;
    },
    afterSend: (data, job) => eachAsync('afterSend', (h) => h.afterSend?.(data, job)),
    onCall: (data, result, lateness, job) => each('onCall', (h) => h.onCall?.(data, result, lateness, job)),
    onDelivered: (data, job) => eachAsync('onDelivered', (h) => h.onDelivered?.(data, job)),
    onDeadLettered: (data, reason, job) => eachAsync('onDeadLettered', (h) => h.onDeadLettered?.(data, reason, job)),
    onRetry: (data, delayMs, result) => each('onRetry', (h) => h.onRetry?.(data, delayMs, result)),
  };
}

async function releaseEarlier(passed: ProcessorHooks[], data: DeliveryJobData, job: Job): Promise<void> {
  for (const hook of passed) {
    try {
      await hook.afterSend?.(data, job);
    } catch {
      // The job is not sent either way; the hook's own error is not the one to report.
    }
  }
}
