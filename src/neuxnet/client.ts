import { RequestError, TimeoutError } from 'got';
import { classify, type CallResult } from './classify.js';
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
  async sendNotify(notification: Notification): Promise<SendNotifyResult> {
    const signedAt = this.#clock.now();
    const result = await this.#post(SEND_NOTIFY_PATH, toWireParams(notification, this.#appid, signedAt, this.#defaultLanguage));
    return { ...result, recipients: notification.openIds?.length ?? 1, signedAt };
  }

  /** Sign and send one activity card request (show or remove), through the same signing and envelope. */
  async sendActivity(request: ActivityRequest): Promise<SendNotifyResult> {
    const signedAt = this.#clock.now();
    const result = await this.#post(SEND_ACTIVITY_PATH, toActivityWireParams(request, this.#appid, signedAt));
    return { ...result, recipients: request.openIds.length, signedAt };
  }

  /** The timestamp a request signed now would carry (local time, corrected by a skew-aware clock). */
  signingTime(): number {
    return this.#clock.now();
  }

  /** Any Open API endpoint with the same signing and envelope. */
  async call(path: string, params: Readonly<Record<string, string>>): Promise<CallResult & { durationMs: number; serverDateMs?: number }> {
    return this.#post(path, { ...params });
  }

  /** Takes `params` over: `sign` is added to it in place, one object fewer per request on the hot path. */
  async #post(path: string, params: Record<string, string>): Promise<CallResult & { durationMs: number; serverDateMs?: number }> {
    params.sign = sign(params, this.#secret);
    const body = encodeForm(params);
    const started = Date.now();
    try {
      const response = await this.#transport.got(path.startsWith('/') ? path.slice(1) : path, { body });
      const received = Date.now();
      const serverDateMs = this.#serverDate(response.headers.date);
      if (serverDateMs !== undefined) this.#clock.observe?.(serverDateMs, started, received);
      const { 'retry-after': retryAfter, 'content-type': contentType } = response.headers;
      return {
        ...classify(
          {
            httpStatus: response.statusCode,
            body: response.body,
            ...(retryAfter !== undefined && { retryAfter }),
            ...(contentType !== undefined && { contentType }),
          },
          received,
        ),
        durationMs: received - started,
        ...(serverDateMs !== undefined && { serverDateMs }),
      };
    } catch (error) {
      // Anything but got's RequestError (timeouts, socket errors) is a programming error, not an answer.
      if (!(error instanceof RequestError)) throw error;
      return { ...classify({ networkError: describeRequestError(error) }), durationMs: Date.now() - started };
    }
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
