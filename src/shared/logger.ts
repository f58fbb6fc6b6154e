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
  if (options.destination) return pino(base, options.destination);
  if (process.stdout.isTTY && process.env.NODE_ENV !== 'production') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base);
}
