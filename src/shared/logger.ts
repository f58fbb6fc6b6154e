import { pino, type Logger, type DestinationStream } from 'pino';
import { serializeError } from './error-serializer.js';

/**
 * Paths that must never reach a log line: credentials, signatures, and personal data (phone numbers).
 * The secret is never put in a logged object in the first place; this is the second line of defence.
 */
const REDACT_PATHS = [
  'secret',
  'sign',
  'password',
  'token',
  'authorization',
  'mobileNumber',
  '*.secret',
  '*.sign',
  '*.password',
  '*.token',
  '*.authorization',
  '*.mobileNumber',
  '*.*.mobileNumber',
  'req.headers.authorization',
  'params.sign',
  'notification.mobileNumber',
  'delivery.notification.mobileNumber',
];

export type { Logger };

/** Loggers made by createLogger, whose redaction is REDACT_PATHS. */
const OURS = new WeakSet<Logger>();
const PLAIN = new WeakMap<Logger, { level: string; logger: Logger }>();

/**
 * `logger` without its redaction pass, for lines whose every field is an id, a count or a duration (the
 * per-delivery line): pino runs the wildcard paths over each field of a line, which costs as much as the
 * rest of the line, and can change nothing there (no such key is a redacted path, and a value that is
 * not an object has no paths below it). Only for a logger made by createLogger: any other (an
 * application's) is returned as it is, with whatever redaction it was given. Follows its level.
 */
export function plainLineLogger(logger: Logger): Logger {
  if (!OURS.has(logger)) return logger;
  let plain = PLAIN.get(logger);
  if (plain?.level !== logger.level) {
    plain = { level: logger.level, logger: logger.child({}, { redact: [] }) };
    PLAIN.set(logger, plain);
  }
  return plain.logger;
}

export interface LoggerOptions {
  /**
   * Lowest level written.
   * @defaultValue `'info'` (the CLI and the servers pass LOG_LEVEL)
   */
  level?: string;
  /**
   * Where lines go; tests pass a stream and parse the JSON.
   * @defaultValue stdout: JSON, or pretty lines through pino-pretty when stdout is a terminal and NODE_ENV is not `production`
   */
  destination?: DestinationStream;
  /**
   * The `name` field of every line.
   * @defaultValue `'neupush'`
   */
  name?: string;
}

/**
 * The root logger of every neupush process. Errors logged as `{ err }` (or `{ error }`) go through
 * serializeError: name, message, code, stack and cause, never a Redis command's arguments or an HTTP body.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    name: options.name ?? 'neupush',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
  };
  const logger = options.destination
    ? pino(base, options.destination)
    : process.stdout.isTTY && process.env.NODE_ENV !== 'production'
      ? pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } })
      : pino(base);
  OURS.add(logger);
  return logger;
}
