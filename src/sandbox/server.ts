import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeForm } from '../neuxnet/form.js';
import { SEND_NOTIFY_PATH } from '../neuxnet/wire.js';
import { FailureRateSchema, parseControlUpdate } from './control.js';
import { envelope, OK_BODY } from './envelope.js';
import { planFault, takeFault, type FaultPlan, type FaultRule } from './faults.js';
import { verifyRequest } from './verify.js';

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
  /** sendNotify (and unknown-path) requests since start or reset; /_sandbox/ control calls are not counted. */
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
  /** Accepted (delivered) requests in order. */
  accepted: AcceptedRequest[];
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

const MAX_BODY_BYTES = 1024 * 1024;
const FORM_TYPE = 'application/x-www-form-urlencoded';
const OK_LENGTH = Buffer.byteLength(OK_BODY);
/**
 * Longer than Node's 5 s default: benchmark clients keep sockets idle between bursts, and a server closing
 * one just as the client reuses it shows up as a spurious ECONNRESET that is not the code under test.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

type BodyResult = { kind: 'body'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Collect the body up to `limit` bytes. Past the limit the rest is read and thrown away rather than cut
 * off: closing the socket on unread data makes the kernel send RST, and the client would never see the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? { kind: 'too-large' } : { kind: 'body', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('close', () => resolve({ kind: 'aborted' }));
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === FORM_TYPE;
}

function describePredicate(predicate: (s: Sandbox) => boolean): string {
  const source = predicate.toString().replace(/\s+/g, ' ');
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

interface Waiter {
  check(): void;
  fail(error: Error): void;
}

class SandboxServer implements Sandbox {
  url = '';
  port = 0;
  readonly accepted: AcceptedRequest[] = [];

  readonly #server: http.Server;
  readonly #appid: string;
  readonly #secret: string;
  readonly #latencyMs: number;
  readonly #record: boolean;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<Waiter>();
  #rules: readonly FaultRule[];
  #failureRate: number;
  #clockOffsetMs: number;
  #counts = { requests: 0, accepted: 0, rejected: 0, faulted: 0 };
  #inFlight = 0;
  #closing: Promise<void> | undefined;

  constructor(options: SandboxOptions) {
    this.#appid = options.appid;
    this.#secret = options.secret;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#record = options.recordAccepted ?? true;
    this.#rules = [...(options.faults ?? [])];
    this.#failureRate = checkFailureRate(options.failureRate ?? 0);
    this.#clockOffsetMs = options.clockOffsetMs ?? 0;
    this.#server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        this.#send(res, 500, envelope(500, `sandbox error: ${String(error)}`, false));
      });
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.#server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  now(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  stats(): SandboxStats {
    return { ...this.#counts, inFlight: this.#inFlight };
  }

  setFaults(faults: FaultRule[]): void {
    this.#rules = [...faults];
    this.#changed();
  }

  setFailureRate(rate: number): void {
    this.#failureRate = checkFailureRate(rate);
    this.#changed();
  }

  setClockOffset(ms: number): void {
    this.#clockOffsetMs = ms;
    this.#changed();
  }

  reset(): void {
    // In place, so a test holding `sandbox.accepted` sees the reset.
    this.accepted.length = 0;
    this.#counts = { requests: 0, accepted: 0, rejected: 0, faulted: 0 };
    this.#rules = [];
    this.#failureRate = 0;
    this.#clockOffsetMs = 0;
    this.#changed();
  }

  waitFor(predicate: (s: Sandbox) => boolean, timeoutMs = 5_000): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('sandbox.waitFor: the sandbox is closed'));
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error(String(error), { cause: error }));
      };
      const waiter: Waiter = {
        check: () => {
          try {
            if (predicate(this)) finish();
          } catch (error) {
            finish(error);
          }
        },
        fail: (error) => finish(error),
      };
      const timer = setTimeout(() => {
        const stats = JSON.stringify(this.stats());
        finish(
          new Error(
            `sandbox.waitFor: ${describePredicate(predicate)} still false after ${timeoutMs} ms ` +
              `(stats ${stats}, accepted.length ${this.accepted.length})`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
      waiter.check();
    });
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    // server.close() waits for every connection to end; hung requests and idle keep-alive sockets never would.
    for (const socket of this.#sockets) socket.destroy();
    for (const waiter of [...this.#waiters]) waiter.fail(new Error('sandbox.waitFor: the sandbox was closed while waiting'));
    return this.#closing;
  }

  #changed(): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of [...this.#waiters]) waiter.check();
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
    if (path.startsWith('/_sandbox/')) return this.#control(req, res, path);

    this.#counts.requests++;
    this.#inFlight++;
    res.once('close', () => {
      this.#inFlight--;
      this.#changed();
    });
    this.#changed();

    if (req.method !== 'POST' || path !== SEND_NOTIFY_PATH) {
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
      this.#changed();
    }
    if (plan.delayMs > 0) this.#later(plan.delayMs, () => this.#act(req, res, plan, fields, receivedAt));
    else this.#act(req, res, plan, fields, receivedAt);
  }

  #act(req: IncomingMessage, res: ServerResponse, plan: FaultPlan, fields: Record<string, string>, receivedAt: number): void {
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
    const verdict = verifyRequest(fields, { appid: this.#appid, secret: this.#secret, now: receivedAt });
    if (!verdict.ok) {
      this.#reject(res, 200, verdict.status, verdict.msg, plan.retryAfterSeconds);
      return;
    }
    this.#counts.accepted++;
    if (this.#record) this.accepted.push({ params: fields, openIds: verdict.openIds, receivedAt });
    this.#send(res, 200, OK_BODY, plan.retryAfterSeconds, OK_LENGTH);
    this.#changed();
  }

  #reject(res: ServerResponse, httpStatus: number, status: number, msg: string, retryAfterSeconds?: number): void {
    this.#counts.rejected++;
    this.#send(res, httpStatus, envelope(status, msg, false), retryAfterSeconds);
    this.#changed();
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

  async #control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/_sandbox/stats') {
      this.#send(res, 200, JSON.stringify(this.stats()));
      return;
    }
    if (req.method === 'POST' && path === '/_sandbox/reset') {
      req.resume();
      this.reset();
      this.#send(res, 200, JSON.stringify({ ok: true }));
      return;
    }
    if (req.method === 'POST' && path === '/_sandbox/faults') {
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body.kind === 'aborted') return;
      if (body.kind === 'too-large') {
        this.#send(res, 413, JSON.stringify({ ok: false, error: `body larger than ${MAX_BODY_BYTES} bytes` }));
        return;
      }
      const parsed = parseControlUpdate(body.text);
      if (!parsed.ok) {
        this.#send(res, 400, JSON.stringify({ ok: false, error: parsed.error }));
        return;
      }
      const { faults, failureRate, clockOffsetMs } = parsed.update;
      if (faults !== undefined) this.setFaults(faults);
      if (failureRate !== undefined) this.setFailureRate(failureRate);
      if (clockOffsetMs !== undefined) this.setClockOffset(clockOffsetMs);
      this.#send(res, 200, JSON.stringify({ ok: true }));
      return;
    }
    this.#send(res, 404, envelope(404, `no such sandbox endpoint: ${req.method ?? '?'} ${path}`, false));
  }
}

function checkFailureRate(rate: number): number {
  if (!FailureRateSchema.safeParse(rate).success) throw new RangeError(`failureRate must be a number from 0 to 1, got ${rate}`);
  return rate;
}

/** Start a local stand-in for Neuxnet's sendNotify (spec: neuxnet-sendnotify.md). */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const sandbox = new SandboxServer(options);
  await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sandbox;
}
