import type { Logger } from '../shared/logger.js';

/**
 * On SIGTERM or SIGINT, run `close` once and exit 0 when it finishes; a second signal exits at once
 * (an operator pressing Ctrl-C twice means it).
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal; exiting without waiting');
      process.exit(1);
    }
    received = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
