import { classify, type CallResult, type RawAnswer } from './classify.js';
import { encodeForm } from './form.js';
import { sign } from './sign.js';
import { SEND_NOTIFY_PATH, toWireParams } from './wire.js';
import type { Language, Notification } from './notification.js';
import { systemClock, type Clock } from './clock.js';
import { createPostClient, targetUnder, type PostClient, type PostTarget } from './post-client.js';
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

/** One Open API endpoint as the client calls it. */
interface Endpoint<I> {
  /** Relative to the base URL. */
  path: string;
  /** The request as its wire fields, signed at `timestamp` (the Open API's field names and forms). */
  wire(input: I, appid: string, timestamp: number, defaultLanguage: Language): Record<string, string>;
  /** How many recipients the request names. */
  recipients(input: I): number;
}

const SEND_NOTIFY: Endpoint<Notification> = {
  path: SEND_NOTIFY_PATH,
  wire: toWireParams,
  recipients: (n) => n.openIds?.length ?? 1,
};

const SEND_ACTIVITY: Endpoint<ActivityRequest> = {
  path: SEND_ACTIVITY_PATH,
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
  readonly #baseUrl: string;
  /** sendNotify's and sendActivity's targets under the base URL, split once (not those of `call`'s paths). */
  readonly #targets: Map<Endpoint<never>, PostTarget>;
  /** The last Date header and its value: it changes once a second, and Date.parse is not free per answer. */
  #lastDate: { header: string; ms: number | undefined } = { header: '', ms: undefined };

  constructor(options: SendNotifyClientOptions) {
    this.#appid = options.appid;
    this.#secret = options.secret;
    this.#clock = options.clock ?? systemClock;
    this.#defaultLanguage = options.defaultLanguage ?? 'en_US';
    this.#baseUrl = options.baseUrl;
    // Here, so a malformed base URL fails at start rather than on the first call.
    this.#targets = new Map<Endpoint<never>, PostTarget>([
      [SEND_NOTIFY, targetUnder(options.baseUrl, SEND_NOTIFY.path)],
      [SEND_ACTIVITY, targetUnder(options.baseUrl, SEND_ACTIVITY.path)],
    ]);
    this.#transport = createPostClient({
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
    const { recipients: _recipients, signedAt: _signedAt, ...result } = await this.#post({ path, wire: (p) => ({ ...p }), recipients: () => 0 }, params);
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
    const target = this.#targets.get(endpoint as Endpoint<never>) ?? targetUnder(this.#baseUrl, endpoint.path);
    const answer = await this.#transport.post(target, body);
    const received = Date.now();
    let result: SendNotifyResult;
    if ('networkError' in answer) {
      result = classify(answer) as SendNotifyResult;
    } else {
      const serverDateMs = this.#serverDate(answer.header('date'));
      if (serverDateMs !== undefined) this.#clock.observe?.(serverDateMs, started, received);
      const raw: RawAnswer = { httpStatus: answer.statusCode, body: answer.body };
      const retryAfter = answer.header('retry-after');
      const contentType = answer.header('content-type');
      if (retryAfter !== undefined) raw.retryAfter = retryAfter;
      if (contentType !== undefined) raw.contentType = contentType;
      result = classify(raw, received) as SendNotifyResult;
      if (serverDateMs !== undefined) result.serverDateMs = serverDateMs;
    }
    result.durationMs = received - started;
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
