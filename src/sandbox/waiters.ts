interface Waiter {
  check(): void;
  fail(error: Error): void;
}

function describePredicate(predicate: (...args: never[]) => boolean): string {
  const source = predicate.toString().replace(/\s+/g, ' ');
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

/**
 * Pending `waitFor` calls, each re-checked whenever the sandbox's state changes (a request event, a new
 * rule, a reset), so tests wait on a condition instead of sleeping.
 */
export class Waiters<T> {
  readonly #waiters = new Set<Waiter>();

  /** `subject` is what the predicate is asked about; `describeState` is added to the timeout's message. */
  constructor(
    private readonly subject: T,
    private readonly describeState: () => string,
  ) {}

  waitFor(predicate: (s: T) => boolean, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error(String(error), { cause: error }));
      };
      const waiter: Waiter = {
        check: () => {
          try {
            if (predicate(this.subject)) finish();
          } catch (error) {
            finish(error);
          }
        },
        fail: (error) => finish(error),
      };
      const timer = setTimeout(() => {
        finish(new Error(`sandbox.waitFor: ${describePredicate(predicate)} still false after ${timeoutMs} ms (${this.describeState()})`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      waiter.check();
    });
  }

  /** Re-check every pending predicate. */
  changed(): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  failAll(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.fail(error);
  }
}
