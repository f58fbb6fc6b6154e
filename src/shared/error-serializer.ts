/**
 * The one way an error reaches a log line (the root logger's `err` and `error` serializers).
 *
 * pino's standard serializer copies every enumerable property, and the errors of our two clients carry the
 * very data logs must not hold: ioredis attaches `command: { name, args }` (the job JSON, with phone numbers
 * and openIds) and EXECABORT's `previousErrors`; got attaches `options` (the signed form), `request`,
 * `response` (bodies, headers) and `timings`. Redaction paths cannot see inside those strings, so this keeps
 * a short list of harmless fields and drops everything else; it also scrubs the message and stack, where
 * Redis quotes the arguments of an unknown command and ioredis an invalid argument.
 */
export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  cause?: SerializedError | string;
  errors?: (SerializedError | string)[];
  [field: string]: unknown;
}

/** Scalar fields worth keeping: ours (status, timeouts) and Node's socket errors (where it failed to connect). */
const KEPT_FIELDS = ['statusCode', 'timeoutMs', 'delayMs', 'policy', 'errno', 'syscall', 'address', 'port'] as const;
const MAX_DEPTH = 5;
const MAX_AGGREGATED = 10;
const REDACTED = '[redacted]';

/** Fragments of `args` that must not survive in a message: whole arguments, JSON string values, digit runs. */
function sensitiveFragments(args: readonly unknown[]): string[] {
  const fragments = new Set<string>();
  for (const arg of args) {
    const text = typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('utf8') : undefined;
    if (text === undefined || text.length < 4) continue;
    fragments.add(text);
    for (const m of text.matchAll(/"((?:[^"\\]|\\.){4,})"/g)) fragments.add(m[1] as string);
    for (const m of text.matchAll(/\d{4,}/g)) fragments.add(m[0]);
  }
  // Longest first, so a whole argument goes before the digits inside it.
  return [...fragments].sort((a, b) => b.length - a.length);
}

/** The message (or stack) without the command's arguments. */
export function scrubMessage(text: string, args: readonly unknown[] = []): string {
  let out = text
    // Redis: "ERR unknown command 'X', with args beginning with: 'arg' 'arg' "
    .replace(/(with args beginning with:)[^\n]*/g, `$1 ${REDACTED}`)
    // ioredis: "Invalid argument <arg>"
    .replace(/(Invalid argument )[^\n]*/g, `$1${REDACTED}`);
  for (const fragment of sensitiveFragments(args)) out = out.split(fragment).join(REDACTED);
  return out;
}

function commandArgs(error: object): readonly unknown[] {
  const command = (error as { command?: { args?: unknown } }).command;
  return Array.isArray(command?.args) ? command.args : [];
}

function serialize(value: unknown, depth: number, seen: Set<object>): SerializedError | string {
  if (!(value instanceof Error)) {
    // A non-Error thrown value: its type only, since its content is unknown.
    return value === null || typeof value !== 'object' ? `[${typeof value}]` : '[non-error object]';
  }
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  const args = commandArgs(value);
  const out: SerializedError = { type: value.constructor.name, message: scrubMessage(value.message, args) };
  if (value.name !== out.type) out.name = value.name;
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof value.stack === 'string') out.stack = scrubMessage(value.stack, args);
  for (const field of KEPT_FIELDS) {
    const v = (value as unknown as Record<string, unknown>)[field];
    if (typeof v === 'string' || typeof v === 'number') out[field] = v;
  }
  const response = (value as { response?: { statusCode?: unknown } }).response;
  if (out.statusCode === undefined && typeof response?.statusCode === 'number') out.statusCode = response.statusCode;
  if (depth < MAX_DEPTH) {
    if (value.cause !== undefined) out.cause = serialize(value.cause, depth + 1, seen);
    if (value instanceof AggregateError && Array.isArray(value.errors)) {
      out.errors = value.errors.slice(0, MAX_AGGREGATED).map((e: unknown) => serialize(e, depth + 1, seen));
    }
  }
  return out;
}

/** The message of anything thrown, scrubbed as in a log line: what a CLI may print on stderr. */
export function safeMessage(thrown: unknown): string {
  return thrown instanceof Error ? scrubMessage(thrown.message, commandArgs(thrown)) : String(thrown);
}

/**
 * An error as a log field: name, message, code, stack, a few scalar fields and the sanitised cause chain.
 * Anything that is not an Error (a string, a plain object) is passed through unchanged: it is the caller's data.
 */
export function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return serialize(value, 0, new Set());
}
