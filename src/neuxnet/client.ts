import { RequestError, TimeoutError } from 'got';
import { classify, type CallResult, type RawAnswer } from './classify.js';
import { encodeForm } from './form.js';
import { sign } from './sign.js';
import { SEND_NOTIFY_PATH, toWireParams } from './wire.js';
import type { Language, Notification } from './notification.js';
import { systemClock, type Clock } from './clock.js';
import { createPostClient, type PostClient } from './post-client.js';
import { SEND_ACTIVITY_PATH, toActivityWireParams, type ActivityRequest } from './activity.js';

export interface SendNotifyClientOptions {
  /** Base of the Open API (required; the worker passes NEUXNET_BASE_URL). */
  baseUrl: string;
  /** Your Mini App id (required; the worker passes NEUXNET_APPID). */
  appid: string;
  /** The app secret (required; the worker passes NEUXNET_SECRET). Held in this object's fields only. */
  secret: string;
  /**
   * One HTTP call, connect to last byte, ms (required; the worker passes NEUPUSH_TIMEOUT_MS). Keep it well
   * below the BullMQ lock duration.
   */
  timeoutMs: number;
  /**
   * Sockets kept open per host.
   * @defaultValue `64` (the worker passes NEUPUSH_CONCURRENCY)
   */
  maxSockets?: number;
  /**
   * The `language` sent with a notification that names none (the 2024 page requires one on every request).
   * @defaultValue `'en_US'` (the worker passes NEUXNET_DEFAULT_LANGUAGE)
   */
  defaultLanguage?: Language;
  /**
   * Where signing timestamps come from.
   * @defaultValue `systemClock` (Date.now)
   */
  clock?: Clock;
}

/** One sendNotify call's classified answer (not the Producer's `SendResult`, which is what `send` queued). */
export interface SendNotifyResult extends CallResult {
  durationMs: number;
  /** How many recipients the request named (1 for everyone/phone sends). */
  recipients: number;
  /** The timestamp the request was signed with (ms). */
  signedAt: number;
  /** The answer's Date header (ms, 1 s resolution), when there was one: the platform's clock. */
  serverDateMs?: number;
}

/**
 * The error's code, and which timeout fired: never its message, which for some errors quotes the answer
 * (a ParseError) and so could carry whatever a gateway echoed back.
 */
function describeRequestError(error: RequestError): string {
  const timeout = error instanceof TimeoutError ? ` (${error.event} timeout)` : '';
  return `${error.code}${timeout}`;
}

/** One Open API endpoint as the client calls it. */
interface Endpoint<I> {
  /** Relative to the base URL (got's prefixUrl takes no leading slash). */
  path: string;
  /** The request as its wire fields, signed at `timestamp` (the Open API's field names and forms). */
  wire(input: I, appid: string, timestamp: number, defaultLanguage: Language): Record<string, string>;
  /** How many recipients the request names. */
  recipients(input: I): number;
}

const relative = (path: string) => (path.startsWith('/') ? path.slice(1) : path);

const SEND_NOTIFY: Endpoint<Notification> = {
  path: relative(SEND_NOTIFY_PATH),
  wire: toWireParams,
  recipients: (n) => n.openIds?.length ?? 1,
};

const SEND_ACTIVITY: Endpoint<ActivityRequest> = {
  path: relative(SEND_ACTIVITY_PATH),
  wire: toActivityWireParams,
  recipients: (r) => r.openIds.length,
};

/**
 * Calls Open API endpoints with the documented signing and envelope. It never retries: BullMQ's attempts
 * are the one retry layer. Each call is signed at the moment it is made, with a fresh timestamp.
 */
export class SendNotifyClient {
  readonly #appid: string;
  readonly #secret: string;
  readonly #clock: Clock;
  readonly #defaultLanguage: Language;
  readonly #transport: PostClient;
  /** The last Date header and its value: it changes once a second, and Date.parse is not free per answer. */
  #lastDate: { header: string; ms: number | undefined } = { header: '', ms: undefined };

  constructor(options: SendNotifyClientOptions) {
    this.#appid = options.appid;
    this.#secret = options.secret;
    this.#clock = options.clock ?? systemClock;
    this.#defaultLanguage = options.defaultLanguage ?? 'en_US';
    this.#transport = createPostClient({
      prefixUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      maxSockets: options.maxSockets ?? 64,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
  }

  /** Sign and send one notification. Resolves with the classified outcome; rejects only on a programming error. */
  sendNotify(notification: Notification): Promise<SendNotifyResult> {
    return this.#post(SEND_NOTIFY, notification);
  }

  /** Sign and send one activity card request (show or remove), through the same signing and envelope. */
  sendActivity(request: ActivityRequest): Promise<SendNotifyResult> {
    return this.#post(SEND_ACTIVITY, request);
  }

  /** The timestamp a request signed now would carry (local time, corrected by a skew-aware clock). */
  signingTime(): number {
    return this.#clock.now();
  }

  /** Any Open API endpoint with the same signing and envelope. */
  async call(path: string, params: Readonly<Record<string, string>>): Promise<CallResult & { durationMs: number; serverDateMs?: number }> {
    const { recipients: _recipients, signedAt: _signedAt, ...result } = await this.#post({ path: relative(path), wire: (p) => ({ ...p }), recipients: () => 0 }, params);
    return result;
  }

  /**
   * Signs `input` as the endpoint's wire fields now, posts it and classifies the answer. Async, so even a
   * value that is not what its type says rejects rather than throws. `sign` is added to the fields in
   * place, and the result is the classified answer with the call's figures set on it: one object each.
   */
  async #post<I>(endpoint: Endpoint<I>, input: I): Promise<SendNotifyResult> {
    const signedAt = this.#clock.now();
    const params = endpoint.wire(input, this.#appid, signedAt, this.#defaultLanguage);
    params.sign = sign(params, this.#secret);
    const body = encodeForm(params);
    const started = Date.now();
    let result: SendNotifyResult;
    try {
      const response = await this.#transport.got(endpoint.path, { body });
      const received = Date.now();
      const serverDateMs = this.#serverDate(response.headers.date);
      if (serverDateMs !== undefined) this.#clock.observe?.(serverDateMs, started, received);
      const { 'retry-after': retryAfter, 'content-type': contentType } = response.headers;
      const answer: RawAnswer = { httpStatus: response.statusCode, body: response.body };
      if (retryAfter !== undefined) answer.retryAfter = retryAfter;
      if (contentType !== undefined) answer.contentType = contentType;
      result = classify(answer, received) as SendNotifyResult;
      result.durationMs = received - started;
      if (serverDateMs !== undefined) result.serverDateMs = serverDateMs;
    } catch (error) {
      // Anything but got's RequestError (timeouts, socket errors) is a programming error, not an answer.
      if (!(error instanceof RequestError)) throw error;
      result = classify({ networkError: describeRequestError(error) }) as SendNotifyResult;
      result.durationMs = Date.now() - started;
    }
    result.recipients = endpoint.recipients(input);
    result.signedAt = signedAt;
    return result;
  }

  #serverDate(header: string | undefined): number | undefined {
    if (!header) return undefined;
    if (header !== this.#lastDate.header) {
      const ms = Date.parse(header);
      this.#lastDate = { header, ms: Number.isNaN(ms) ? undefined : ms };
    }
    return this.#lastDate.ms;
  }

  close(): void {
    this.#transport.close();
  }
}
