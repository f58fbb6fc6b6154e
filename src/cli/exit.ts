import { ConfigError, IdempotencyConflictError, ValidationError } from '../shared/errors.js';

/** Exit codes scripts depend on: 0 success, 2 bad input (nothing queued), 1 anything else. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Wrap a command's action: print the error's message on stderr and exit with the contract's code.
 * Commander's own usage errors exit 2 through `exitOverride` in main.ts.
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
      process.stderr.write(`neupush: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(bad ? EXIT.badInput : EXIT.failure);
    }
  };
}
