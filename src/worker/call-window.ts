/** Signing, the hooks around the call, and clock drift between this host and Redis. */
const CALL_MARGIN_MS = 5_000;

/**
 * How long one run of a delivery may be inside its sendNotify call: two HTTP timeouts (a request refused
 * for its timestamp is signed again and sent once more) plus a margin. The duplicate-suppression claim
 * lasts this long, so a claim left by a crash lapses before stalled-job recovery hands the job on; a
 * campaign cancel waits at most this long for a worker that died mid-call.
 */
export function callWindowMs(timeoutMs: number): number {
  return 2 * timeoutMs + CALL_MARGIN_MS;
}
