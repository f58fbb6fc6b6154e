import { notificationOf, type DeadLetterReason, type DeliveryJobData } from '../../shared/job-data.js';
import type { SendNotifyResult } from '../../neuxnet/client.js';
import { describeResult } from '../../worker/dead-letter-writer.js';
import type { ProcessorHooks } from '../../worker/processor-hooks.js';
import type { DemoCase, Expected } from './scenario.js';

export interface CaseState {
  readonly demoCase: DemoCase;
  id?: string;
  calls: number;
  retries: number;
  recipients: number;
  /** How long after its due time the first call was made, ms. */
  lateness?: number;
  result?: Expected;
  deadLetter?: { reason: DeadLetterReason; lastError: string };
  settledAt?: number;
}

/**
 * Follows the demo's notifications through the worker's hooks, prints one line per event, and settles
 * once every notification is delivered or dead-lettered. Hooks must not throw, so nothing here does.
 */
export class DemoProgress {
  readonly states = new Map<string, CaseState>();
  readonly #startedAt: number;
  readonly #say: (line: string) => void;
  readonly #lastResult = new Map<string, SendNotifyResult>();
  #pending: number;
  #onSettled: (() => void) | undefined;

  constructor(cases: readonly DemoCase[], startedAt: number, say: (line: string) => void) {
    for (const c of cases) this.states.set(c.title, { demoCase: c, calls: 0, retries: 0, recipients: 0 });
    this.#pending = cases.length;
    this.#startedAt = startedAt;
    this.#say = say;
  }

  /** One progress line, stamped with the seconds since the demo started. */
  line(event: string, text: string): void {
    const t = `${((Date.now() - this.#startedAt) / 1000).toFixed(1)} s`.padStart(7);
    this.#say(`${t}  ${event.padEnd(13)} ${text}`);
  }

  /** Resolves when every notification has settled. */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#onSettled = resolve));
  }

  unsettled(): string[] {
    return [...this.states.values()].filter((s) => s.result === undefined).map((s) => s.demoCase.title);
  }

  readonly hooks: ProcessorHooks = {
    onCall: (data, result, lateness) => {
      const state = this.#state(data);
      if (!state) return;
      state.calls += 1;
      state.lateness ??= lateness;
      this.#lastResult.set(data.deliveryKey, result);
    },
    onRetry: (data, delayMs, result) => {
      const state = this.#state(data);
      if (!state) return;
      state.retries += 1;
      this.line('retrying', `"${notificationOf(data).title}": ${describeResult(result)}; next try in ${delayMs} ms`);
    },
    onDelivered: (data) => {
      const state = this.#state(data);
      if (!state) return;
      state.recipients += notificationOf(data).openIds?.length ?? 1;
      const scheduled = state.demoCase.options.sendAt !== undefined;
      const late = scheduled && state.lateness !== undefined ? `, ${state.lateness} ms after its due time` : '';
      const calls = `${state.calls} call${state.calls === 1 ? '' : 's'}`;
      this.line('delivered', `"${notificationOf(data).title}" to ${state.recipients} recipient(s) (${calls}${late})`);
      this.#settle(state, 'delivered');
    },
    onDeadLettered: (data, reason) => {
      const state = data && this.#state(data);
      if (!state) return;
      const last = this.#lastResult.get(data.deliveryKey);
      const lastError = last ? describeResult(last) : 'no call made';
      state.deadLetter = { reason, lastError };
      this.line('dead-lettered', `"${notificationOf(data).title}": ${reason} (${lastError})`);
      this.#settle(state, 'dead-lettered');
    },
  };

  #state(data: DeliveryJobData): CaseState | undefined {
    // The demo sends notifications only.
    return data.kind === 'activity' ? undefined : this.states.get(notificationOf(data).title);
  }

  #settle(state: CaseState, result: Expected): void {
    if (state.result !== undefined) return;
    state.result = result;
    state.settledAt = Date.now();
    this.#pending -= 1;
    if (this.#pending === 0) this.#onSettled?.();
  }
}
