/**
 * Where the signing timestamp comes from. The platform rejects a timestamp more than 5 minutes from its
 * own clock, so the client reports each answer's Date header here and signs with `now()`.
 */
export interface Clock {
  /** Milliseconds since epoch to sign with. */
  now(): number;
  /** Called with the platform's Date header (ms) and the local send/receive instants of that call. */
  observe?(serverDateMs: number, sentAtMs: number, receivedAtMs: number): void;
}

export const systemClock: Clock = { now: () => Date.now() };
