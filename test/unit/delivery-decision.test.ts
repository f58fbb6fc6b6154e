import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../src/neuxnet/classify.js';
import { decideAfterCall, decideBeforeCall, type Decision, type DecisionInput } from '../../src/worker/delivery-decision.js';
import type { BreakerVerdict } from '../../src/worker/outage-breaker.js';

const NOW = 1_700_000_000_000;
const BASE = 1_000;

/** Answers by class; `random: 0` makes the first retry's delay half the base (500 ms). */
const ANSWERS = {
  delivered: { outcome: 'delivered', httpStatus: 200, status: 200, msg: 'OK' },
  rejected: { outcome: 'rejected', httpStatus: 200, status: 400, msg: 'bad parameters' },
  retryable: { outcome: 'retryable', httpStatus: 503 },
  'retryable, Retry-After 30 s': { outcome: 'retryable', httpStatus: 429, retryAfterMs: 30_000 },
} satisfies Record<string, CallResult>;

const DEADLINES = { far: NOW + 3_600_000, near: NOW + 400 } as const;
const ATTEMPTS = { left: { attemptsMade: 1, attempts: 8 }, none: { attemptsMade: 8, attempts: 8 } } as const;
const BREAKERS: Record<string, BreakerVerdict | undefined> = {
  none: undefined,
  retry: { action: 'retry' },
  tripped: { action: 'pause', pauseMs: 2_000, tripped: true },
  open: { action: 'pause', pauseMs: 700, tripped: false },
};

/** What the decision must be, written out rule by rule (the order of the rules is the point). */
function expected(answer: keyof typeof ANSWERS, deadline: keyof typeof DEADLINES, attempts: keyof typeof ATTEMPTS, breaker: string): Decision {
  const verdict = BREAKERS[breaker];
  if (answer === 'delivered') return { kind: 'delivered' };
  if (answer === 'rejected') return { kind: 'dead-letter', reason: 'rejected', lastError: 'HTTP 200, status 400, bad parameters' };
  const said = answer === 'retryable' ? 'HTTP 503' : 'HTTP 429';
  if (verdict?.action === 'pause') return { kind: 'pause', ms: verdict.pauseMs, tripped: verdict.tripped };
  if (attempts === 'none') return { kind: 'dead-letter', reason: 'exhausted', lastError: said };
  const delayMs = answer === 'retryable' ? 500 : 30_000;
  if (deadline === 'near') {
    return { kind: 'dead-letter', reason: 'expired', lastError: `${said}; a retry in ${delayMs} ms would land after the deadline` };
  }
  return { kind: 'retry', delayMs };
}

const table = Object.keys(ANSWERS).flatMap((answer) =>
  Object.keys(DEADLINES).flatMap((deadline) =>
    Object.keys(ATTEMPTS).flatMap((attempts) =>
      Object.keys(BREAKERS).map((breaker) => ({ answer, deadline, attempts, breaker }) as {
        answer: keyof typeof ANSWERS;
        deadline: keyof typeof DEADLINES;
        attempts: keyof typeof ATTEMPTS;
        breaker: string;
      }),
    ),
  ),
);

describe('decideAfterCall', () => {
  it.each(table)('$answer, deadline $deadline, attempts $attempts, breaker $breaker', ({ answer, deadline, attempts, breaker }) => {
    const verdict = BREAKERS[breaker];
    const input: DecisionInput = {
      result: ANSWERS[answer],
      now: NOW,
      deadline: DEADLINES[deadline],
      ...ATTEMPTS[attempts],
      backoffMs: BASE,
      random: 0,
      ...(verdict && { breaker: verdict }),
    };
    expect(decideAfterCall(input)).toStrictEqual(expected(answer, deadline, attempts, breaker));
  });

  const edge = (over: Partial<DecisionInput>): DecisionInput => ({
    result: ANSWERS.retryable,
    now: NOW,
    deadline: NOW + 3_600_000,
    attemptsMade: 1,
    attempts: 8,
    backoffMs: BASE,
    random: 0,
    ...over,
  });

  it.each([
    { name: 'a retry landing exactly on the deadline is still in time', input: edge({ deadline: NOW + 500 }), kind: 'retry' },
    { name: 'a retry landing 1 ms after the deadline: expired', input: edge({ deadline: NOW + 499 }), kind: 'dead-letter' },
    { name: 'second-to-last attempt still retries', input: edge({ attemptsMade: 7 }), kind: 'retry' },
    { name: 'one attempt only: exhausted after the first failure', input: edge({ attempts: 1 }), kind: 'dead-letter' },
  ])('$name', ({ input, kind }) => {
    expect(decideAfterCall(input).kind).toBe(kind);
  });

  it('backs off exponentially from the job base, with the jitter given', () => {
    expect(decideAfterCall(edge({ attemptsMade: 3, random: 0 }))).toStrictEqual({ kind: 'retry', delayMs: 2_000 });
    expect(decideAfterCall(edge({ attemptsMade: 3, random: 0.5, backoffMs: 100 }))).toStrictEqual({ kind: 'retry', delayMs: 300 });
  });

  it('takes Retry-After as a floor, never shortening the backoff', () => {
    const result: CallResult = { outcome: 'retryable', httpStatus: 429, retryAfterMs: 10 };
    expect(decideAfterCall(edge({ result, attemptsMade: 2 }))).toStrictEqual({ kind: 'retry', delayMs: 1_000 });
  });
});

describe('decideBeforeCall', () => {
  it.each([
    { name: 'before the deadline: go', now: NOW, deadline: NOW + 1, expected: undefined },
    { name: 'at the deadline: go', now: NOW, deadline: NOW, expected: undefined },
    {
      name: 'past the deadline: expired, no call',
      now: NOW + 1,
      deadline: NOW,
      expected: { kind: 'dead-letter', reason: 'expired', lastError: `not sent by its deadline ${new Date(NOW).toISOString()}` },
    },
  ])('$name', ({ now, deadline, expected }) => {
    expect(decideBeforeCall(now, deadline)).toStrictEqual(expected);
  });
});
