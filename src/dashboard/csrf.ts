import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../shared/safe-equal.js';

/** The form field, and the header a script may use instead. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface CsrfOptions {
  /** HMAC key. Default: 32 random bytes per process, so a restart invalidates every token issued. */
  key?: Buffer;
  /** How long a token is accepted. Default 12 h. */
  maxAgeMs?: number;
  /** Default Date.now. */
  now?: () => number;
}

export interface Csrf {
  /** A token bound to `subject` (the signed-in user) and to the time it was issued. */
  token(subject: string): string;
  /** Whether `token` was issued by this process for `subject` and has not expired; constant-time. */
  verify(subject: string, token: unknown): boolean;
  /** `<input type="hidden" name="_csrf" value="...">`, for a console form. */
  hiddenField(subject: string): string;
  /**
   * A fastify preHandler that refuses (403) a state-changing request whose `_csrf` body field or
   * `X-CSRF-Token` header is not a valid token for `subjectOf(request)`. Register a form body parser
   * (see form-body.ts) on routes that take HTML forms.
   */
  preHandler(
    subjectOf: (request: FastifyRequest) => string | undefined,
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Synchronizer tokens for the console's own forms, stateless: HMAC(key, issued-at, subject). A forged
 * cross-site form cannot read a token out of our pages, so it cannot send one.
 */
export function createCsrf(options: CsrfOptions = {}): Csrf {
  const key = options.key ?? randomBytes(32);
  const maxAgeMs = options.maxAgeMs ?? 12 * 3_600_000;
  const now = options.now ?? Date.now;
  const mac = (issuedAt: string, subject: string) => createHmac('sha256', key).update(`csrf:v1:${issuedAt}:${subject}`).digest('base64url');

  const token = (subject: string) => {
    const issuedAt = now().toString(36);
    return `${issuedAt}.${mac(issuedAt, subject)}`;
  };

  const verify = (subject: string, given: unknown) => {
    if (typeof given !== 'string') return false;
    const dot = given.indexOf('.');
    const issuedAt = given.slice(0, dot);
    const age = now() - Number.parseInt(issuedAt, 36);
    // The MAC is compared even for a malformed or stale token, so neither shows in the response time.
    const macOk = safeEqual(given.slice(dot + 1), mac(issuedAt, subject));
    return dot > 0 && /^[0-9a-z]+$/.test(issuedAt) && age >= 0 && age <= maxAgeMs && macOk;
  };

  return {
    token,
    verify,
    hiddenField: (subject) => `<input type="hidden" name="${CSRF_FIELD}" value="${token(subject)}">`,
    preHandler: (subjectOf) => async (request, reply) => {
      if (SAFE_METHODS.has(request.method)) return undefined;
      const body = request.body as Record<string, unknown> | undefined;
      const given = (typeof body === 'object' && body !== null ? body[CSRF_FIELD] : undefined) ?? request.headers[CSRF_HEADER];
      const subject = subjectOf(request);
      if (subject !== undefined && verify(subject, given)) return undefined;
      return reply.code(403).send({ error: 'missing or invalid CSRF token: reload the page and try again' });
    },
  };
}
