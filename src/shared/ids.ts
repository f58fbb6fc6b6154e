import { ValidationError, type FieldIssue } from './errors.js';

/**
 * The ids that become part of a Redis key or a BullMQ job id, each with its documented pattern. A colon is
 * BullMQ's key separator and `*?[]` are SCAN globs, so none of them may hold one: `X:chunks` as a campaign
 * id would otherwise name campaign X's chunks hash. Every entry point (Producer methods, CLI, HTTP) checks
 * an id here before any key is built from it; ids neupush generates match these patterns too.
 */
export interface IdKind {
  /** What the id names, for the error message: `campaign id`. */
  what: string;
  pattern: RegExp;
  /** The pattern in words, as the error gives it. */
  rule: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const NAME_RULE = 'must be 1 to 100 letters, digits, _ . - (starting with a letter or digit)';

export const IDS = {
  /** Chosen by the caller, or `cmp-<uuid>` / `k-<32 hex>` (from an Idempotency-Key). */
  campaign: { what: 'campaign id', pattern: NAME, rule: NAME_RULE },
  schedule: { what: 'schedule id', pattern: NAME, rule: NAME_RULE },
  /** An activity card's id: the caller's, or `a-<uuid>` / `ak-<32 hex>` (from an idempotency key). */
  activity: { what: 'activity id', pattern: NAME, rule: NAME_RULE },
  /** `n-<uuid>`, or `k-<32 hex>` derived from an idempotency key; never chosen by the caller. */
  notification: {
    what: 'notification id',
    pattern: /^(?:n-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|k-[0-9a-f]{32})$/,
    rule: 'must be n-<uuid> or k-<32 hex digits>',
  },
  /**
   * A delivery job's id: `<notification id>.<chunk>`, `c-<campaign id>.<batch>.<chunk>`,
   * `s-<schedule id>.<ms>.<chunk>`, with `.r<n>` per redrive.
   */
  deadLetter: {
    what: 'dead-letter id',
    pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/,
    rule: 'must be 1 to 200 letters, digits, _ . - (starting with a letter or digit), as dlq list shows it',
  },
  /** A webhook job's id: `msg_<32 hex>.<16 hex>` (event, receiver), with `.r<n>` per redrive. */
  webhookDeadLetter: {
    what: 'webhook dead-letter id',
    pattern: /^msg_[0-9a-f]{32}\.[0-9a-f]{16}(?:\.r\d{1,6})?$/,
    rule: 'must be msg_<32 hex digits>.<16 hex digits>, with .r<n> after a redrive, as webhooks list-failed shows it',
  },
} as const satisfies Record<string, IdKind>;

/** The campaign/schedule pattern, for zod schemas. */
export const ID_PATTERN = NAME;
export const ID_RULE = NAME_RULE;

export function idIssue(kind: IdKind, value: unknown, field: string): FieldIssue | undefined {
  return typeof value === 'string' && kind.pattern.test(value) ? undefined : { field, rule: kind.rule };
}

/** Throw a ValidationError naming `field` unless `value` matches the kind's pattern. */
export function assertId(kind: IdKind, value: unknown, field = 'id'): asserts value is string {
  const issue = idIssue(kind, value, field);
  if (issue) throw new ValidationError(kind.what, [issue]);
}

/** The same for a list: each bad one named `${field}.${index}`. */
export function assertIds(kind: IdKind, values: readonly unknown[], field: string): void {
  const issues = values.flatMap((value, i) => idIssue(kind, value, `${field}.${i}`) ?? []);
  if (issues.length > 0) throw new ValidationError(`${kind.what}s`, issues);
}
