import type { Job } from 'bullmq';
import type { Logger } from '../shared/logger.js';
import type { DeadLetterReason, DeliveryJobData } from '../shared/job-data.js';
import type { DeadLetteredDetails, ProcessorHooks, SettledDetails } from './processor-hooks.js';
import type { SendNotifyResult as SendResult } from '../neuxnet/client.js';
import { isThenable } from './thenable.js';

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
  // Per hook, the sets that have it, found once: a hook no set has is left out, and the processor skips it.
  const having = (name: keyof ProcessorHooks) => hooks.filter(([, hook]) => hook[name] !== undefined);

  const each = <A extends unknown[]>(name: 'onCall' | 'onRetry', call: (hook: ProcessorHooks, ...args: A) => void) => {
    const sets = having(name);
    if (sets.length === 0) return undefined;
    return (...args: A) => {
      for (const [set, hook] of sets) {
        try {
          call(hook, ...args);
        } catch (error) {
          failed(set, name, error);
        }
      }
    };
  };
  const eachAwaited = <A extends unknown[]>(name: 'afterSend' | 'onDelivered' | 'onDeadLettered', call: (hook: ProcessorHooks, ...args: A) => unknown) => {
    const sets = having(name);
    if (sets.length === 0) return undefined;
    return (...args: A) => inSequence(sets, (hook) => call(hook, ...args), (set, error) => failed(set, name, error));
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
  const befores = having('beforeSend');
  /** The rest of the beforeSend chain once a hook has answered with a promise (or thrown): `first` is that answer. */
  const finishBeforeSend = async (data: DeliveryJobData, job: Job, from: number, first: unknown): Promise<string | undefined> => {
    for (let i = from; i < befores.length; i++) {
      const [set, hook] = befores[i] as [string, ProcessorHooks];
      let why: string | undefined;
      try {
        why = (await (i === from ? first : hook.beforeSend?.(data, job))) as string | undefined;
      } catch (error) {
        failed(set, 'beforeSend', error);
        await releaseEarlier(befores.slice(0, i), data, job);
        throw error;
      }
      if (why !== undefined) {
        await releaseEarlier(befores.slice(0, i), data, job);
        return why;
      }
    }
    return undefined;
  };

  const composed: ProcessorHooks = {
    afterSend: eachAwaited('afterSend', (h, data: DeliveryJobData, job: Job) => h.afterSend?.(data, job)),
    onCall: each('onCall', (h, data: DeliveryJobData, result: SendResult, lateness: number, job: Job) => h.onCall?.(data, result, lateness, job)),
    onDelivered: eachAwaited('onDelivered', (h, data: DeliveryJobData, job: Job, settled?: SettledDetails) =>
      settled ? h.onDelivered?.(data, job, settled) : h.onDelivered?.(data, job),
    ),
    onDeadLettered: eachAwaited(
      'onDeadLettered',
      (h, data: DeliveryJobData | undefined, reason: DeadLetterReason, job: Job, details?: DeadLetteredDetails) =>
        h.onDeadLettered?.(data, reason, job, details),
    ),
    onRetry: each('onRetry', (h, data: DeliveryJobData, delayMs: number, result: SendResult) => h.onRetry?.(data, delayMs, result)),
  };
  if (befores.length > 0) {
    // The usual answer (no campaign, or one that is not cancelled) comes back without a promise: the
    // chain only turns async from the first hook that returns one.
    composed.beforeSend = (data, job) => {
      for (let i = 0; i < befores.length; i++) {
        const [, hook] = befores[i] as [string, ProcessorHooks];
        let why: ReturnType<NonNullable<ProcessorHooks['beforeSend']>>;
        try {
          why = hook.beforeSend?.(data, job);
        } catch (error) {
          return finishBeforeSend(data, job, i, Promise.reject(error));
        }
        if (why !== undefined) return finishBeforeSend(data, job, i, why);
      }
      return undefined;
    };
  }
  for (const key of Object.keys(composed) as (keyof ProcessorHooks)[]) if (composed[key] === undefined) delete composed[key];
  return composed;
}

/**
 * Calls each set's hook in order; an answer that is not a promise costs no await, so a chain of hooks with
 * nothing to do (a job of no campaign) stays synchronous. Every hook runs; then the first error surfaces.
 */
function inSequence(sets: readonly [string, ProcessorHooks][], call: (hook: ProcessorHooks) => unknown, failed: (set: string, error: unknown) => void): Promise<void> | undefined {
  for (let i = 0; i < sets.length; i++) {
    const [set, hook] = sets[i] as [string, ProcessorHooks];
    let result: unknown;
    try {
      result = call(hook);
    } catch (error) {
      failed(set, error);
      return finishInSequence(sets, i + 1, call, failed, { error });
    }
    if (isThenable(result)) return finishInSequence(sets, i, call, failed, undefined, result);
  }
  return undefined;
}

async function finishInSequence(
  sets: readonly [string, ProcessorHooks][],
  from: number,
  call: (hook: ProcessorHooks) => unknown,
  failed: (set: string, error: unknown) => void,
  first: { error: unknown } | undefined,
  pending?: PromiseLike<unknown>,
): Promise<void> {
  for (let i = from; i < sets.length; i++) {
    const [set, hook] = sets[i] as [string, ProcessorHooks];
    try {
      await (i === from && pending !== undefined ? pending : call(hook));
    } catch (error) {
      failed(set, error);
      first ??= { error };
    }
  }
  if (first) throw first.error;
}
