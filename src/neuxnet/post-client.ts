import { Agent, type Dispatcher } from 'undici';

export interface PostClientOptions {
  /** One HTTP call, from the moment it is asked for (a wait for a free socket included) to the last byte. */
  timeoutMs: number;
  /** Sockets kept open per origin. */
  maxSockets: number;
  headers: Record<string, string>;
}

/** An answer as the two POSTers read it: status, the few headers they look at, and the body as text. */
export interface PostAnswer {
  statusCode: number;
  /** The reason phrase (HTTP/1.1), when the server sent one. */
  statusMessage: string | undefined;
  /** Lower-case names; a header sent twice is joined with ", " as Node's http does. */
  header(name: string): string | undefined;
  body: string;
}

/** No answer: the error's code and, for a timeout, which one. Never an error's message (it can quote a URL or a body). */
export interface PostFailure {
  networkError: string;
}

export interface PostClient {
  /** POST `body` to `url` (a whole URL). Resolves with the answer or the network failure; rejects only on a programming error. */
  post(url: URL | PostTarget, body: string, headers?: Record<string, string>): Promise<PostAnswer | PostFailure>;
  /** Destroys the kept-alive sockets; calls still in flight end as network failures. */
  close(): void;
}

/** A URL split once, for a target posted to on every call (the Open API endpoints). */
export interface PostTarget {
  origin: string;
  path: string;
}

/** `path` under `base`, as a target: `base` may carry a path of its own, which is kept (`https://gw/api/` + `x` = `/api/x`). */
export function targetUnder(base: string, path: string): PostTarget {
  const url = new URL(base);
  return { origin: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}` };
}

/** Answers are small JSON; a gateway that streams more is cut off rather than held. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** undici's codes for a call that was malformed, not one the network failed: these reject. */
const PROGRAMMING_ERRORS = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_INVALID_RETURN_VALUE', 'UND_ERR_NOT_SUPPORTED']);

/** A call we ended ourselves (the timer, the size bound): reported with its reason, which holds nothing of the call. */
class CutShort extends Error {
  constructor(
    readonly code: 'ETIMEDOUT' | 'EMSGSIZE',
    reason: string,
  ) {
    super(reason);
  }
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

function joined(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * One call, as undici's low-level handler: the body is gathered as chunks, with no stream object, and one
 * timer covers the whole call, so a call waiting for a socket times out like one waiting for its answer.
 */
class Exchange implements Dispatcher.DispatchHandler {
  #chunks: Buffer[] = [];
  #bytes = 0;
  #statusCode = 0;
  #statusMessage: string | undefined;
  #headers: Record<string, string | string[] | undefined> = {};
  #controller: Dispatcher.DispatchController | undefined;
  /** Why this call ended early (our timer or the size bound), to abort it with once undici hands it over. */
  #cut: Error | undefined;
  #settled = false;
  readonly #timer: NodeJS.Timeout;
  readonly #resolve: (value: PostAnswer | PostFailure) => void;
  readonly #reject: (error: unknown) => void;

  constructor(timeoutMs: number, resolve: (value: PostAnswer | PostFailure) => void, reject: (error: unknown) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = setTimeout(() => this.#stop(new CutShort('ETIMEDOUT', 'request timeout')), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#cut) controller.abort(this.#cut);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.#statusCode = statusCode;
    this.#statusMessage = statusMessage || undefined;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes > MAX_ANSWER_BYTES) return this.#stop(new CutShort('EMSGSIZE', `answer over ${MAX_ANSWER_BYTES} bytes`));
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settle()) return;
    const chunks = this.#chunks;
    const headers = this.#headers;
    this.#resolve({
      statusCode: this.#statusCode,
      statusMessage: this.#statusMessage,
      header: (name) => joined(headers[name]),
      body: chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, this.#bytes).toString('utf8'),
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#settle()) return;
    this.#fail(error);
  }

  /** Ends the call now with `why`: settled at once, and aborted as soon as undici has handed it over. */
  #stop(why: Error): void {
    if (this.#cut) return;
    this.#cut = why;
    this.#controller?.abort(why);
    if (!this.#settle()) this.#fail(why);
  }

  #fail(error: unknown): void {
    const code = codeOf(error);
    if (code === undefined || PROGRAMMING_ERRORS.has(code)) return this.#reject(error);
    this.#resolve({ networkError: error instanceof CutShort ? `${code} (${error.message})` : code });
  }

  /** True when the call had already settled; otherwise marks it settled and stops the timer. */
  #settle(): boolean {
    if (this.#settled) return true;
    this.#settled = true;
    clearTimeout(this.#timer);
    return false;
  }
}

/**
 * The transport both outgoing POSTers share (the Open API client, webhook delivery), on undici: keep-alive
 * sockets, no retries (BullMQ's attempts are the one retry layer), no redirects (a moved endpoint answers
 * finally), every status answered rather than thrown, the body as text. undici rather than got: got and
 * Node's http stack cost about 0.3 ms of CPU per call on this machine kind, undici about a fifth of that
 * (../shared/BASELINES.md), and the call is most of a delivery's CPU.
 */
export function createPostClient(options: PostClientOptions): PostClient {
  const agent = new Agent({
    connections: options.maxSockets,
    // Our timer covers the whole call; undici's own phase timeouts only back it up.
    connect: { timeout: options.timeoutMs + 1_000 },
    headersTimeout: options.timeoutMs + 1_000,
    bodyTimeout: options.timeoutMs + 1_000,
  });
  const headers = options.headers;
  return {
    post(url, body, extra) {
      return new Promise((resolve, reject) => {
        const exchange = new Exchange(options.timeoutMs, resolve, reject);
        try {
          agent.dispatch({ origin: url.origin, path: url instanceof URL ? url.pathname + url.search : url.path, method: 'POST', body, headers: extra ? { ...headers, ...extra } : headers }, exchange);
        } catch (error) {
          // A malformed call throws here rather than reaching the handler.
          exchange.onResponseError(undefined as never, error as Error);
        }
      });
    },
    close() {
      void agent.destroy();
    },
  };
}
