import type { Job } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import type { DeliveryJobData } from '../shared/job-data.js';
import type { ProcessorHooks } from './processor.js';

/** Hook sets by name, in the order they run; the name goes into the log line of a hook that throws. */
export type NamedHooks = Readonly<Record<string, ProcessorHooks | undefined>>;

/**
 * Several observers on one processor (campaign counters, metrics, a caller's own hooks), in order. A hook
 * that throws is logged with its name (`campaign.onDelivered`) and never stops the others.
 *
 * `beforeSend`: the first reason to drop wins and the rest are not asked; hooks that had already said
 * "go ahead" get their `afterSend` at once, because the processor only calls `afterSend` when the whole
 * chain let the call happen, and a hook may hold something (a counter, a slot) until `afterSend`.
 * Synchronous observers (onCall, onRetry) are isolated: one that throws stops neither the others nor the job.
 * Awaited hooks may write state (campaign counters): every one runs, then the first error surfaces, so the
 * job fails and is retried rather than losing a count.
 */
export function composeHooks(logger: Logger, named: NamedHooks): ProcessorHooks {
  const hooks = Object.entries(named).filter((entry): entry is [string, ProcessorHooks] => entry[1] !== undefined);
  const failed = (set: string, hook: keyof ProcessorHooks, error: unknown) =>
    logger.error({ err: error, hook: `${set}.${hook}` }, 'a worker hook threw');

  const each = (name: keyof ProcessorHooks, call: (hook: ProcessorHooks) => void) => {
    for (const [set, hook] of hooks) {
      if (hook[name] === undefined) continue;
      try {
        call(hook);
      } catch (error) {
        failed(set, name, error);
      }
    }
  };
  const eachAsync = async (name: keyof ProcessorHooks, call: (hook: ProcessorHooks) => unknown) => {
    let first: { error: unknown } | undefined;
    for (const [set, hook] of hooks) {
      if (hook[name] === undefined) continue;
      try {
        await call(hook);
      } catch (error) {
        failed(set, name, error);
        first ??= { error };
      }
    }
    if (first) throw first.error;
  };
  const releaseEarlier = async (passed: readonly [string, ProcessorHooks][], data: DeliveryJobData, job: Job) => {
    for (const [set, hook] of passed) {
      try {
        await hook.afterSend?.(data, job);
      } catch (error) {
        // The job is not sent either way; the error that stopped the chain is the one to surface.
        failed(set, 'afterSend', error);
      }
    }
  };

  return {
    async beforeSend(data: DeliveryJobData, job: Job) {
      const passed: [string, ProcessorHooks][] = [];
      for (const [set, hook] of hooks) {
        if (!hook.beforeSend) continue;
        let why: string | undefined;
        try {
          why = await hook.beforeSend(data, job);
        } catch (error) {
          failed(set, 'beforeSend', error);
          await releaseEarlier(passed, data, job);
          throw error;
        }
        if (why !== undefined) {
          await releaseEarlier(passed, data, job);
          return why;
        }
        passed.push([set, hook]);
      }
      return undefined;
    },
    afterSend: (data, job) => eachAsync('afterSend', (h) => h.afterSend?.(data, job)),
    onCall: (data, result, lateness, job) => each('onCall', (h) => h.onCall?.(data, result, lateness, job)),
    onDelivered: (data, job, settled) => eachAsync('onDelivered', (h) => (settled ? h.onDelivered?.(data, job, settled) : h.onDelivered?.(data, job))),
    onDeadLettered: (data, reason, job, details) => eachAsync('onDeadLettered', (h) => h.onDeadLettered?.(data, reason, job, details)),
    onRetry: (data, delayMs, result) => each('onRetry', (h) => h.onRetry?.(data, delayMs, result)),
  };
}
