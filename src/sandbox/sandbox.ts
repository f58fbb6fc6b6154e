import type { FaultRule } from './faults.js';

// The sandbox's public types, with the fault rules its options take; server.ts implements them.
export type { FaultRule } from './faults.js';

export interface SandboxOptions {
  /**
   * TCP port; 0 picks a free one.
   * @defaultValue `0`
   */
  port?: number;
  /**
   * Interface to listen on.
   * @defaultValue `'127.0.0.1'`
   */
  host?: string;
  /** The appid requests must carry (required; the CLI takes NEUXNET_APPID). */
  appid: string;
  /** The secret signatures are checked with (required; the CLI takes NEUXNET_SECRET). */
  secret: string;
  /**
   * 0..1: that fraction of requests answer HTTP 503 (random), after the fault rules.
   * @defaultValue `0`
   */
  failureRate?: number;
  /**
   * Tried in order, before verification.
   * @defaultValue none
   */
  faults?: FaultRule[];
  /**
   * The sandbox's clock = Date.now() + offset (for clock-skew tests); also used for the Date header.
   * @defaultValue `0`
   */
  clockOffsetMs?: number;
  /**
   * Base latency on every request, added to any fault rule's latencyMs.
   * @defaultValue `0`
   */
  latencyMs?: number;
  /**
   * Keep accepted requests in `accepted`; turn off for long benchmarks.
   * @defaultValue `true`
   */
  recordAccepted?: boolean;
}

export interface AcceptedRequest {
  /** Every form field as received, `sign` included. */
  params: Record<string, string>;
  openIds: string[];
  /** The sandbox's clock (Date.now() + clockOffsetMs) when the body had arrived. */
  receivedAt: number;
}

export interface SandboxStats {
  /** sendNotify, sendActivity (and unknown-path) requests since start or reset; /_sandbox/ control calls are not counted. */
  requests: number;
  /** Verified and answered `response: true`. */
  accepted: number;
  /** Answered with an error by verification, or 404/413/415. */
  rejected: number;
  /** Handled by a fault rule or failureRate (answered, hung or reset). */
  faulted: number;
  /** Requests not yet answered whose connection is still open (hung ones included). Not cleared by reset. */
  inFlight: number;
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** Accepted (delivered) sendNotify requests in order. */
  accepted: AcceptedRequest[];
  /** Accepted sendActivity requests (shows and removes) in order; also `GET /_sandbox/activities`. */
  activities: AcceptedRequest[];
  stats(): SandboxStats;
  /** Replace the rules. */
  setFaults(faults: FaultRule[]): void;
  setFailureRate(rate: number): void;
  setClockOffset(ms: number): void;
  /** Back to a healthy sandbox: clears accepted, counters, rules, failureRate and the clock offset. */
  reset(): void;
  /** Resolves when `predicate(sandbox)` holds, checked on each request event; rejects after timeoutMs (default 5000). */
  waitFor(predicate: (s: Sandbox) => boolean, timeoutMs?: number): Promise<void>;
  /** Closes the server and destroys all open sockets (including hung ones). Idempotent. */
  close(): Promise<void>;
}
