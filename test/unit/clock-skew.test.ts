import { describe, expect, it } from 'vitest';
import { SkewClock, shouldResignAfterSkew, PLATFORM_TIMESTAMP_WINDOW_MS } from '../../src/neuxnet/clock-skew.js';
import { createLogger } from '../../src/shared/logger.js';
import { createLogCapture } from '../helpers/log-capture.js';

const T0 = 1_800_000_000_000;

/** A SkewClock on a fake local clock, with a way to feed it answers from a platform `offsetMs` away. */
function harness(options: { correctAboveMs?: number; noiseMs?: number; samples?: number } = {}) {
  let local = T0;
  const logs = createLogCapture();
  const clock = new SkewClock({ ...options, localNow: () => local, logger: createLogger({ level: 'debug', destination: logs }) });
  /** One call of `rttMs`: the platform stamps its Date (truncated to the second) halfway through. */
  const answer = (offsetMs: number, rttMs = 40) => {
    const sentAt = local;
    const serverNow = sentAt + rttMs / 2 + offsetMs;
    const serverDate = Math.floor(serverNow / 1000) * 1000;
    local += rttMs;
    clock.observe(serverDate, sentAt, local);
    local += 137; // answers do not come on round numbers
  };
  return { clock, logs, answer, advance: (ms: number) => (local += ms), local: () => local };
}

describe('SkewClock', () => {
  it('signs with the local time before any answer', () => {
    const { clock, local } = harness();
    expect(clock.now()).toBe(local());
    expect(clock.offsetMs).toBe(0);
    expect(clock.correctionMs).toBe(0);
  });

  it.each([
    ['7 minutes behind', 420_000],
    ['7 minutes ahead', -420_000],
    ['31 s behind', 31_000],
  ])('corrects after one answer when the platform is %s, to within the Date header resolution', (_what, offsetMs) => {
    const { clock, answer, local } = harness();
    answer(offsetMs);
    expect(Math.abs(clock.offsetMs - offsetMs)).toBeLessThanOrEqual(600);
    expect(Math.abs(clock.now() - (local() + offsetMs))).toBeLessThanOrEqual(600);
  });

  it.each([
    ['no offset', 0],
    ['1.5 s (noise)', 1_500],
    ['20 s (inside the window, below the threshold)', 20_000],
    ['-29 s', -29_000],
  ])('does not touch the signing time for %s', (_what, offsetMs) => {
    const { clock, answer, local } = harness();
    for (let i = 0; i < 5; i++) answer(offsetMs);
    expect(clock.correctionMs).toBe(0);
    expect(clock.now()).toBe(local());
  });

  it('smooths: one slow answer does not move the estimate', () => {
    const { clock, answer } = harness();
    for (let i = 0; i < 8; i++) answer(60_000);
    const before = clock.offsetMs;
    answer(60_000, 9_000); // a 9 s round trip: its midpoint may be 4.5 s off
    expect(Math.abs(clock.offsetMs - before)).toBeLessThanOrEqual(500);
  });

  it('follows a clock step (an NTP fix on this host) at once', () => {
    const { clock, answer } = harness();
    for (let i = 0; i < 8; i++) answer(420_000);
    answer(0);
    expect(Math.abs(clock.offsetMs)).toBeLessThanOrEqual(600);
    expect(clock.correctionMs).toBe(0);
  });

  it('warns once per change, not per request, and says when the clocks agree again', () => {
    const { logs, answer } = harness();
    for (let i = 0; i < 50; i++) answer(420_000);
    const warnings = logs.lines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/local clock is 4[12]\d(\.\d)? s behind the platform's; signing with the corrected time/);
    for (let i = 0; i < 20; i++) answer(0);
    const after = logs.lines();
    expect(after.filter((l) => l.level === 40)).toHaveLength(1);
    expect(after.filter((l) => /agrees with the platform's again/.test(String(l.msg)))).toHaveLength(1);
  });

  it('warns without correcting when the offset is notable but inside the window', () => {
    const { clock, logs, answer } = harness();
    for (let i = 0; i < 10; i++) answer(-10_000);
    expect(clock.correctionMs).toBe(0);
    const warnings = logs.lines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/ahead of the platform's; within the platform's 5-minute window, so not corrected/);
  });

  it('stays quiet for offsets under the noise level', () => {
    const { logs, answer } = harness();
    for (let i = 0; i < 30; i++) answer(i % 2 === 0 ? 900 : -900);
    expect(logs.lines()).toEqual([]);
  });
});

describe('shouldResignAfterSkew', () => {
  const W = PLATFORM_TIMESTAMP_WINDOW_MS;
  const server = T0;
  it.each([
    // outcome, signedAt - server, now - server, expected
    ['rejected', 420_000, 300, true],
    ['rejected', -420_000, 300, true],
    ['rejected', W - 1_000, 0, true],
    ['rejected', 420_000, 420_000, false], // the clock has not learned: signing again fails the same way
    ['rejected', 10_000, 0, false], // timestamp was fine: rejected for another reason
    ['rejected', W - 3_000, 0, false], // inside the window with margin
    ['retryable', 420_000, 0, false],
    ['delivered', 420_000, 0, false],
  ])('%s, signed %i ms off, would sign %i ms off: %s', (outcome, signedOff, nowOff, expected) => {
    expect(shouldResignAfterSkew({ outcome, signedAt: server + signedOff, serverDateMs: server }, server + nowOff)).toBe(expected);
  });

  it('needs the Date header', () => {
    expect(shouldResignAfterSkew({ outcome: 'rejected', signedAt: server + 420_000 }, server)).toBe(false);
  });
});
