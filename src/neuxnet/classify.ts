/** What one sendNotify call came to. */
export type Outcome = 'delivered' | 'retryable' | 'rejected';

export interface CallResult {
  outcome: Outcome;
  /** HTTP status, absent on a network error or timeout. */
  httpStatus?: number;
  /** `responseHeader.status` from the envelope, when there was one. */
  status?: number;
  /**
   * `responseHeader.msg` (at most 200 characters), the network error's code, or for an answer without the
   * envelope its content type and size. Never text from a body that is not the envelope: a gateway that
   * echoes the request would put the signature and phone numbers into logs and dead letters.
   */
  msg?: string;
  /** From a Retry-After header, in milliseconds. */
  retryAfterMs?: number;
}

export interface RawAnswer {
  httpStatus?: number;
  body?: string;
  /** The Content-Type header, described (never the body) when the answer is not the envelope. */
  contentType?: string;
  retryAfter?: string;
  /** Set when no HTTP answer came back (connection refused, reset, timeout). */
  networkError?: string;
}

/** 408, 429 and 5xx are the platform's trouble and may succeed later; other 4xx are the caller's. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The three HTTP-date forms of RFC 9110 (IMF-fixdate, RFC 850, asctime). Checked before Date.parse because
 * V8 reads almost anything as a date ("-5" is May 2001), which would turn a garbled header into a delay.
 */
const HTTP_DATE =
  /^(?:[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/** Retry-After is either delay-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!HTTP_DATE.test(trimmed)) return undefined;
  // asctime carries no zone but means GMT; V8 would read it as local time.
  const at = Date.parse(trimmed.endsWith('GMT') ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface Envelope {
  responseHeader: { status?: unknown; msg?: unknown };
  response?: unknown;
}

/** The envelope's msg is the platform's short reason; a longer one is cut, so no answer can flood a log line. */
export const MAX_MSG_LENGTH = 200;

/** Only an object with a `responseHeader` object is the platform's envelope; anything else is described, not kept. */
function parseEnvelope(body: string | undefined): Envelope | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { responseHeader?: unknown } | null;
    const header = parsed !== null && typeof parsed === 'object' ? parsed.responseHeader : undefined;
    return header !== null && typeof header === 'object' ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

/** What may be said of an answer that is not the envelope: its media type and size, never its text. */
function describeForeignBody(body: string, contentType: string | undefined): string {
  const type = contentType?.split(';')[0]?.trim().slice(0, 100) || 'no content type';
  return `answer without responseHeader (${type}, ${Buffer.byteLength(body)} bytes)`;
}

function messageOf(envelope: Envelope | undefined, answer: RawAnswer): string | undefined {
  if (envelope !== undefined) {
    const msg = envelope.responseHeader.msg;
    return typeof msg === 'string' ? msg.slice(0, MAX_MSG_LENGTH) : undefined;
  }
  return answer.body ? describeForeignBody(answer.body, answer.contentType) : undefined;
}

/**
 * Classify an answer. Success needs all three: HTTP 2xx, `responseHeader.status` 200 and `response` true;
 * errors (bad signature, stale timestamp) come back inside HTTP 200 with another header status.
 */
export function classify(answer: RawAnswer, now = Date.now()): CallResult {
  if (answer.networkError !== undefined || answer.httpStatus === undefined) {
    return { outcome: 'retryable', msg: answer.networkError ?? 'no answer' };
  }
  const httpStatus = answer.httpStatus;
  const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
  const envelope = parseEnvelope(answer.body);
  const status = typeof envelope?.responseHeader.status === 'number' ? envelope.responseHeader.status : undefined;
  const msg = messageOf(envelope, answer);
  const given = msg === '' ? undefined : msg;

  if (httpStatus < 200 || httpStatus >= 300) return answered(isRetryableStatus(httpStatus) ? 'retryable' : 'rejected', httpStatus, status, given, retryAfterMs);
  // An HTTP 2xx without the envelope is a proxy or gateway talking, not the platform: try again.
  if (status === undefined) return answered('retryable', httpStatus, status, given ?? 'answer without responseHeader', retryAfterMs);
  if (status !== 200) return answered(isRetryableStatus(status) ? 'retryable' : 'rejected', httpStatus, status, given, retryAfterMs);
  if (envelope?.response === true) return answered('delivered', httpStatus, status, given, retryAfterMs);
  return answered('retryable', httpStatus, status, given && given !== 'OK' ? given : 'response was not true', retryAfterMs);
}

/**
 * One result object, its fields set one by one: it is built for every call, and conditional spreads
 * allocate an object each. Absent fields stay absent (never `undefined`), as callers and dead letters expect.
 */
function answered(outcome: Outcome, httpStatus: number, status: number | undefined, msg: string | undefined, retryAfterMs: number | undefined): CallResult {
  const result: CallResult = { outcome, httpStatus };
  if (status !== undefined) result.status = status;
  if (msg !== undefined) result.msg = msg;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}
