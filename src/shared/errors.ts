/**
 * Every `code` a neupush error carries. A code is part of the contract (scripts and dashboards match on it),
 * so it is listed here once; test/unit/errors.test.ts checks that no other `ERR_` literal appears in src.
 */
export const ERROR_CODES = [
  'ERR_VALIDATION',
  'ERR_CONFIG',
  'ERR_USAGE',
  'ERR_IDEMPOTENCY_CONFLICT',
  'ERR_CAMPAIGN_NOT_FOUND',
  'ERR_CAMPAIGN_BUSY',
  'ERR_REDIS_TIMEOUT',
  'ERR_REDIS_EVICTION',
  'ERR_RETRYABLE',
] as const;

/** A code from ERROR_CODES, or the API's `ERR_HTTP_<status>` for an answer it decided on. */
export type ErrorCode = (typeof ERROR_CODES)[number] | `ERR_HTTP_${number}`;

/** What every neupush error accepts besides its own arguments: the error it stands for, kept as `cause`. */
export interface NeupushErrorOptions {
  cause?: unknown;
}

/** Base of every neupush error: a stable `name` and `code` survive a process boundary where `instanceof` does not. */
export class NeupushError extends Error {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, options?: NeupushErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `openIds.3` or `sendAt`. */
  field: string;
  /** The rule it breaks, in words. */
  rule: string;
}

/** At most this many issues are listed (message, `issues`, HTTP answer): 20,000 bad openIds must not make a 5 MB error. */
export const MAX_LISTED_ISSUES = 20;

/**
 * Issues as one line, `field: rule; field: rule` (a rule on the whole object stands alone): the first
 * MAX_LISTED_ISSUES, then `(and N more)` when `total` says there were more.
 */
export function describeIssues(issues: readonly FieldIssue[], total = issues.length): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => (i.field ? `${i.field}: ${i.rule}` : i.rule));
  const more = Math.max(total, issues.length) - listed.length;
  return more > 0 ? `${listed.join('; ')} (and ${more} more)` : listed.join('; ');
}

/** Bad input, refused at the edge before anything is queued. */
export class ValidationError extends NeupushError {
  /** The first MAX_LISTED_ISSUES issues. */
  readonly issues: readonly FieldIssue[];
  /** How many issues there were in all (issues lists at most MAX_LISTED_ISSUES of them). */
  readonly issueCount: number;
  /** `total`: how many issues there were when `issues` is already a capped list (re-wrapping an error). */
  constructor(what: string, issues: readonly FieldIssue[], options?: NeupushErrorOptions & { total?: number }) {
    const count = Math.max(options?.total ?? issues.length, issues.length);
    super(`Invalid ${what}: ${describeIssues(issues, count)}`, 'ERR_VALIDATION', options?.cause === undefined ? undefined : { cause: options.cause });
    this.issues = issues.length > MAX_LISTED_ISSUES ? issues.slice(0, MAX_LISTED_ISSUES) : issues;
    this.issueCount = count;
  }
}

/** A configuration variable is missing or malformed; the message names the variable. */
export class ConfigError extends NeupushError {
  constructor(message: string, options?: NeupushErrorOptions) {
    super(message, 'ERR_CONFIG', options);
  }
}

/**
 * Redis did not answer within a deadline (connecting, or a bounded read such as the metrics' queue counts).
 * `cause` is the last connection error seen meanwhile, when there was one.
 */
export class RedisTimeoutError extends NeupushError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, options?: NeupushErrorOptions) {
    super(message, 'ERR_REDIS_TIMEOUT', options);
    this.timeoutMs = timeoutMs;
  }
}

/** Wrap anything thrown into an Error, keeping the original as `cause` (graphile-worker's coerceError). */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `Non-error thrown: ${String(thrown)}`, { cause: thrown });
}

/**
 * An idempotency key was used again with a different request: the first request's result stands and the
 * new one is refused (HTTP 409, CLI exit 2), as Stripe and Novu answer a reused key.
 */
export class IdempotencyConflictError extends NeupushError {
  readonly idempotencyKey: string;
  constructor(idempotencyKey: string, options?: NeupushErrorOptions) {
    super(`Idempotency key ${JSON.stringify(idempotencyKey)} was already used with a different request`, 'ERR_IDEMPOTENCY_CONFLICT', options);
    this.idempotencyKey = idempotencyKey;
  }
}
