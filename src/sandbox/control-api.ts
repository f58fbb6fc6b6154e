import type { IncomingMessage } from 'node:http';
import { parseControlUpdate } from './control.js';
import { envelope } from './envelope.js';
import type { FaultRule } from './faults.js';
import { readBody } from './transport.js';

/** What the control endpoints act on: the running sandbox. */
export interface ControlTarget {
  stats(): object;
  /** Accepted sendActivity requests, for `GET /_sandbox/activities`. */
  readonly activities: readonly object[];
  reset(): void;
  setFaults(faults: FaultRule[]): void;
  setFailureRate(rate: number): void;
  setClockOffset(ms: number): void;
}

export type Answer = (httpStatus: number, body: string) => void;

/**
 * `GET /_sandbox/stats`, `GET /_sandbox/activities` (the accepted sendActivity requests), `POST /_sandbox/reset`, `POST /_sandbox/faults`: how a sandbox in another process
 * is driven. Not counted in the stats, so a test polling them does not change what it measures.
 */
export async function handleControl(req: IncomingMessage, path: string, target: ControlTarget, maxBodyBytes: number, answer: Answer): Promise<void> {
  if (req.method === 'GET' && path === '/_sandbox/stats') return answer(200, JSON.stringify(target.stats()));
  if (req.method === 'GET' && path === '/_sandbox/activities') return answer(200, JSON.stringify(target.activities));
  if (req.method === 'POST' && path === '/_sandbox/reset') {
    req.resume();
    target.reset();
    return answer(200, JSON.stringify({ ok: true }));
  }
  if (req.method === 'POST' && path === '/_sandbox/faults') {
    const body = await readBody(req, maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') return answer(413, JSON.stringify({ ok: false, error: `body larger than ${maxBodyBytes} bytes` }));
    const parsed = parseControlUpdate(body.text);
    if (!parsed.ok) return answer(400, JSON.stringify({ ok: false, error: parsed.error }));
    const { faults, failureRate, clockOffsetMs } = parsed.update;
    if (faults !== undefined) target.setFaults(faults);
    if (failureRate !== undefined) target.setFailureRate(failureRate);
    if (clockOffsetMs !== undefined) target.setClockOffset(clockOffsetMs);
    return answer(200, JSON.stringify({ ok: true }));
  }
  answer(404, envelope(404, `no such sandbox endpoint: ${req.method ?? '?'} ${path}`, false));
}
