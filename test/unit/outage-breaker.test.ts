import { describe, expect, it } from 'vitest';
import { OutageBreaker, type BreakerVerdict } from '../../src/worker/outage-breaker.js';

type Step =
  | { at: number; fail: string; retryAfterMs?: number; expect: BreakerVerdict }
  | { at: number; answered: true; expectClosed: boolean };

function run(steps: Step[], options = { threshold: 4, minDistinct: 2, basePauseMs: 1_000, maxPauseMs: 8_000 }) {
  const breaker = new OutageBreaker(options);
  steps.forEach((step, i) => {
    if ('fail' in step) {
      expect(breaker.onRetryable(step.fail, step.at, step.retryAfterMs), `step ${i}`).toEqual(step.expect);
    } else {
      expect(breaker.onAnswered(), `step ${i}`).toBe(step.expectClosed);
    }
  });
  return breaker;
}

const retry: BreakerVerdict = { action: 'retry' };
const trip = (pauseMs: number): BreakerVerdict => ({ action: 'pause', pauseMs, tripped: true });
const held = (pauseMs: number): BreakerVerdict => ({ action: 'pause', pauseMs, tripped: false });

describe('OutageBreaker', () => {
  it('retries normally below the threshold', () => {
    run([
      { at: 0, fail: 'a', expect: retry },
      { at: 1, fail: 'b', expect: retry },
      { at: 2, fail: 'c', expect: retry },
    ]);
  });

  it('trips at the threshold, then puts every job back until the pause ends', () => {
    run([
      { at: 0, fail: 'a', expect: retry },
      { at: 1, fail: 'b', expect: retry },
      { at: 2, fail: 'c', expect: retry },
      { at: 3, fail: 'd', expect: trip(1_000) },
      { at: 500, fail: 'e', expect: held(503) },
      { at: 1_002, fail: 'f', expect: held(1) },
    ]);
  });

  it('one job failing again and again never trips it (minDistinct)', () => {
    const steps: Step[] = Array.from({ length: 20 }, (_, i) => ({ at: i * 100, fail: 'poison', expect: retry }));
    run(steps);
  });

  it('doubles the pause while the outage lasts, up to the cap', () => {
    run([
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: retry },
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: trip(1_000) },
      { at: 1_000, fail: 'c', expect: trip(2_000) }, // the probe after the pause fails: re-trip at once
      { at: 3_000, fail: 'c', expect: trip(4_000) },
      { at: 7_000, fail: 'c', expect: trip(8_000) },
      { at: 15_000, fail: 'c', expect: trip(8_000) },
      { at: 15_100, fail: 'd', expect: held(7_900) },
    ]);
  });

  it('an answer closes it and resets pause and count', () => {
    run([
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: retry },
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: trip(1_000) },
      { at: 1_000, fail: 'c', expect: trip(2_000) },
      { at: 3_000, answered: true, expectClosed: true },
      { at: 3_001, answered: true, expectClosed: false },
      { at: 3_002, fail: 'a', expect: retry },
      { at: 3_003, fail: 'b', expect: retry },
      { at: 3_004, fail: 'c', expect: retry },
      { at: 3_005, fail: 'd', expect: trip(1_000) },
    ]);
  });

  it('an answer between failures restarts the count', () => {
    run([
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: retry },
      { at: 0, fail: 'c', expect: retry },
      { at: 0, answered: true, expectClosed: false },
      { at: 0, fail: 'd', expect: retry },
      { at: 0, fail: 'e', expect: retry },
      { at: 0, fail: 'f', expect: retry },
      { at: 0, fail: 'g', expect: trip(1_000) },
    ]);
  });

  it('honours a longer Retry-After, within the cap', () => {
    run([
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: retry },
      { at: 0, fail: 'c', expect: retry },
      { at: 0, fail: 'd', retryAfterMs: 5_000, expect: trip(5_000) },
      { at: 5_000, fail: 'e', retryAfterMs: 60_000, expect: trip(8_000) },
    ]);
  });

  it('reports its state', () => {
    const breaker = run([
      { at: 0, fail: 'a', expect: retry },
      { at: 0, fail: 'b', expect: retry },
    ]);
    expect(breaker.state).toEqual({ open: false, trips: 0, consecutiveFailures: 2, pausedUntil: 0 });
  });

  it('defaults: 20 failures from 5 deliveries, 1 s first pause, 30 s cap', () => {
    const breaker = new OutageBreaker();
    for (let i = 0; i < 19; i++) expect(breaker.onRetryable(`k${i % 5}`, 0)).toEqual(retry);
    expect(breaker.onRetryable('k', 0)).toEqual(trip(1_000));
    let at = 1_000;
    let last: BreakerVerdict = retry;
    for (let i = 0; i < 10; i++) {
      last = breaker.onRetryable('k', at);
      if (last.action === 'pause') at += last.pauseMs;
    }
    expect(last).toEqual(trip(30_000));
  });
});
