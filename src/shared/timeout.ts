/**
 * `promise`, or after `ms` whatever `onTimeout` returns (or throws), whichever comes first. The timer is
 * always cleared, so a settled race never keeps the process alive; the losing promise is left to run.
 * A deadline on Redis that must fail throws a RedisTimeoutError from `onTimeout`, so callers can tell it by its code.
 */
export async function raceTimeout<T, F>(promise: Promise<T>, ms: number, onTimeout: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
