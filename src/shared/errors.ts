/** Base of every neupush error: a stable `name` and `code` survive a process boundary where `instanceof` does not. */
export class NeupushError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
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

/** Issues as one line, `field: rule; field: rule` (a rule on the whole object stands alone). */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.field ? `${i.field}: ${i.rule}` : i.rule)).join('; ');
}

/** Bad input, refused at the edge before anything is queued. */
export class ValidationError extends NeupushError {
  readonly issues: readonly FieldIssue[];
  constructor(what: string, issues: readonly FieldIssue[]) {
    super(`Invalid ${what}: ${describeIssues(issues)}`, 'ERR_VALIDATION');
    this.issues = issues;
  }
}

/** A configuration variable is missing or malformed; the message names the variable. */
export class ConfigError extends NeupushError {
  constructor(message: string) {
    super(message, 'ERR_CONFIG');
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
  constructor(idempotencyKey: string, options?: { cause?: unknown }) {
    super(`Idempotency key ${JSON.stringify(idempotencyKey)} was already used with a different request`, 'ERR_IDEMPOTENCY_CONFLICT', options);
    this.idempotencyKey = idempotencyKey;
  }
}
