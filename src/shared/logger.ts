import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths that must never reach a log line: credentials, signatures, and personal data (phone numbers).
 * The secret is never put in a logged object in the first place; this is the second line of defence.
 */
export const REDACT_PATHS = [
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
  level?: string;
  /** Where lines go; tests pass a stream and parse the JSON. Defaults to stdout (pretty on a terminal). */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    name: options.name ?? 'neupush',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (options.destination) return pino(base, options.destination);
  if (process.stdout.isTTY && process.env.NODE_ENV !== 'production') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base);
}
