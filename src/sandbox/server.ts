import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { decodeForm } from '../neuxnet/form.js';
import { SEND_NOTIFY_PATH } from '../neuxnet/wire.js';
import { SEND_ACTIVITY_PATH } from '../neuxnet/activity.js';
import { FailureRateSchema } from './control.js';
import { handleControl } from './control-api.js';
import { envelope, OK_BODY } from './envelope.js';
import { planFault, takeFault, type FaultPlan, type FaultRule } from './faults.js';
import { pathOf, readBody, SandboxTransport } from './transport.js';
import { verifyRequest } from './verify.js';
import { verifyActivityRequest } from './verify-activity.js';
import { Waiters } from './waiters.js';
import type { AcceptedRequest, Sandbox, SandboxOptions, SandboxStats } from './sandbox.js';

const MAX_BODY_BYTES = 1024 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const OK_LENGTH = Buffer.byteLength(OK_BODY);

function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === FORM_TYPE;
}

/** The sendNotify side: counters, fault rules, verification and answers. Transport and waiters are its own files. */
class SandboxServer implements Sandbox {
  readonly accepted: AcceptedRequest[] = [];
  readonly activities: AcceptedRequest[] = [];

  readonly #transport: SandboxTransport;
  readonly #appid: string;
  readonly #secret: string;
  readonly #latencyMs: number;
  readonly #record: boolean;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters: Waiters<Sandbox>;
  #rules: readonly FaultRule[];
  #failureRate: number;
  #clockOffsetMs: number;
  #counts = { requests: 0, accepted: 0, rejected: 0, faulted: 0 };
  #inFlight = 0;

  constructor(options: SandboxOptions) {
    this.#appid = options.appid;
    this.#secret = options.secret;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#record = options.recordAccepted ?? true;
    this.#rules = [...(options.faults ?? [])];
    this.#failureRate = checkFailureRate(options.failureRate ?? 0);
    this.#clockOffsetMs = options.clockOffsetMs ?? 0;
    this.#waiters = new Waiters<Sandbox>(this, () => `stats ${JSON.stringify(this.stats())}, accepted.length ${this.accepted.length}`);
    this.#transport = new SandboxTransport(
      (req, res) => this.#handle(req, res),
      (res, error) => this.#send(res, 500, envelope(500, `sandbox error: ${String(error)}`, false)),
    );
  }

  get url(): string {
    return this.#transport.url;
  }

  get port(): number {
    return this.#transport.port;
  }

  listen(port: number, host: string): Promise<void> {
    return this.#transport.listen(port, host);
  }

  now(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  stats(): SandboxStats {
    return { ...this.#counts, inFlight: this.#inFlight };
  }

  setFaults(faults: FaultRule[]): void {
    this.#rules = [...faults];
    this.#waiters.changed();
  }

  setFailureRate(rate: number): void {
    this.#failureRate = checkFailureRate(rate);
    this.#waiters.changed();
  }

  setClockOffset(ms: number): void {
    this.#clockOffsetMs = ms;
    this.#waiters.changed();
  }

  reset(): void {
    // In place, so a test holding `sandbox.accepted` sees the reset.
    this.accepted.length = 0;
    this.activities.length = 0;
    this.#counts = { requests: 0, accepted: 0, rejected: 0, faulted: 0 };
    this.#rules = [];
    this.#failureRate = 0;
    this.#clockOffsetMs = 0;
    this.#waiters.changed();
  }

  waitFor(predicate: (s: Sandbox) => boolean, timeoutMs = 5_000): Promise<void> {
    if (this.#transport.closing) return Promise.reject(new Error('sandbox.waitFor: the sandbox is closed'));
    return this.#waiters.waitFor(predicate, timeoutMs);
  }

  close(): Promise<void> {
    if (this.#transport.closing) return this.#transport.close();
    const closed = this.#transport.close();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#waiters.failAll(new Error('sandbox.waitFor: the sandbox was closed while waiting'));
    return closed;
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (path.startsWith('/_sandbox/')) {
      return handleControl(req, path, this, MAX_BODY_BYTES, (status, body) => this.#send(res, status, body));
    }

    this.#counts.requests++;
    this.#inFlight++;
    res.once('close', () => {
      this.#inFlight--;
      this.#waiters.changed();
    });
    this.#waiters.changed();

    if (req.method !== 'POST' || (path !== SEND_NOTIFY_PATH && path !== SEND_ACTIVITY_PATH)) {
      return this.#reject(res, 404, 404, `no such endpoint: ${req.method ?? '?'} ${path}`);
    }
    if (!isForm(req.headers['content-type'])) {
      return this.#reject(res, 415, 415, `Content-Type must be ${FORM_TYPE}, got ${req.headers['content-type'] ?? 'none'}`);
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body.kind === 'too-large') return this.#reject(res, 413, 413, `body larger than ${MAX_BODY_BYTES} bytes`);
    if (body.kind === 'aborted') return;

    const receivedAt = this.now();
    const fields = decodeForm(body.text);
    // Faults before verification, so a rule fires the same way whatever the request's content.
    const taken = takeFault(this.#rules, fields);
    this.#rules = taken.rules;
    const hit = this.#failureRate > 0 && Math.random() < this.#failureRate;
    const plan = planFault(taken.rule, hit, this.#latencyMs);
    if (plan.action.kind !== 'none') {
      this.#counts.faulted++;
      this.#waiters.changed();
    }
    const activity = path === SEND_ACTIVITY_PATH;
    if (plan.delayMs > 0) this.#later(plan.delayMs, () => this.#act(req, res, plan, fields, receivedAt, activity));
    else this.#act(req, res, plan, fields, receivedAt, activity);
  }

  #act(req: IncomingMessage, res: ServerResponse, plan: FaultPlan, fields: Record<string, string>, receivedAt: number, activity: boolean): void {
    // The client may have given up during the delay.
    if (res.destroyed) return;
    const action = plan.action;
    switch (action.kind) {
      case 'hang':
        return;
      case 'destroy':
        req.socket.destroy();
        return;
      case 'answer':
        this.#send(res, action.httpStatus, envelope(action.status, action.msg, action.response), plan.retryAfterSeconds);
        return;
      case 'none':
        break;
    }
    const context = { appid: this.#appid, secret: this.#secret, now: receivedAt };
    const verdict = activity ? verifyActivityRequest(fields, context) : verifyRequest(fields, context);
    if (!verdict.ok) {
      this.#reject(res, 200, verdict.status, verdict.msg, plan.retryAfterSeconds);
      return;
    }
    this.#counts.accepted++;
    if (this.#record) (activity ? this.activities : this.accepted).push({ params: fields, openIds: verdict.openIds, receivedAt });
    this.#send(res, 200, OK_BODY, plan.retryAfterSeconds, OK_LENGTH);
    this.#waiters.changed();
  }

  #reject(res: ServerResponse, httpStatus: number, status: number, msg: string, retryAfterSeconds?: number): void {
    this.#counts.rejected++;
    this.#send(res, httpStatus, envelope(status, msg, false), retryAfterSeconds);
    this.#waiters.changed();
  }

  #send(res: ServerResponse, httpStatus: number, body: string, retryAfterSeconds?: number, length?: number): void {
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': length ?? Buffer.byteLength(body),
    };
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    // Node stamps the real time; a skewed platform must also report its skewed clock, as clients read it.
    if (this.#clockOffsetMs !== 0) headers.date = new Date(this.now()).toUTCString();
    res.writeHead(httpStatus, headers);
    res.end(body);
  }
}

function checkFailureRate(rate: number): number {
  if (!FailureRateSchema.safeParse(rate).success) throw new RangeError(`failureRate must be a number from 0 to 1, got ${rate}`);
  return rate;
}

/** Start a local stand-in for Neuxnet's sendNotify and sendActivity (spec: neuxnet-sendnotify.md). */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const sandbox = new SandboxServer(options);
  await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sandbox;
}
