import { coerceError } from '../shared/errors.js';

const MAX_CAUSES = 5;

/**
 * An error as the worker logs it under `err`: its type, message, stack, code and causes, so pino's
 * serializer keeps the stack, but nothing a library attached to it. ioredis puts a failed command's
 * arguments on its errors (`err.command.args`), and for a job add those are the job data, phone numbers included.
 */
export function loggableError(thrown: unknown, depth = 0): Error {
  const error = coerceError(thrown);
  const safe = Object.create(Object.getPrototypeOf(error) as object) as Error & { code?: string };
  Object.defineProperty(safe, 'message', { value: error.message, enumerable: false });
  Object.defineProperty(safe, 'stack', { value: error.stack, enumerable: false });
  Object.defineProperty(safe, 'name', { value: error.name, enumerable: false });
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') safe.code = code;
  if (error.cause !== undefined && depth < MAX_CAUSES) safe.cause = loggableError(error.cause, depth + 1);
  return safe;
}
