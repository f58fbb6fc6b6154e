import { safeMessage } from '../shared/error-serializer.js';
import { ConfigError, IdempotencyConflictError, NeupushError, ValidationError, type NeupushErrorOptions } from '../shared/errors.js';

/** Exit codes scripts depend on: 0 success, 2 bad input (nothing queued), 1 anything else. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** A command was given something it cannot use (a flag, a file); exit 2, nothing was queued. */
export class UsageError extends NeupushError {
  constructor(message: string, options?: NeupushErrorOptions) {
    super(message, 'ERR_USAGE', options);
  }
}

/**
 * Wrap a command's action: print the error's message on stderr (scrubbed of Redis command arguments, as
 * in a log line) and exit with the contract's code.
 * Commander's own usage errors exit 2 through parser-errors.ts.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      const bad =
        error instanceof ValidationError ||
        error instanceof ConfigError ||
        error instanceof UsageError ||
        error instanceof IdempotencyConflictError;
      process.stderr.write(`neupush: ${safeMessage(error)}\n`);
      process.exit(bad ? EXIT.badInput : EXIT.failure);
    }
  };
}
