import { EXIT } from './exit.js';

/**
 * `neupush dlq list | head -5` closes stdout early. That ends the command quietly instead of with an
 * unhandled EPIPE stack trace: a long-running command (worker, api, demo) is sent SIGTERM so its own
 * shutdown runs; a short one exits 0 at once (nothing more it prints can be read).
 */
export function endQuietlyOnClosedOutput(): void {
  let ending = false;
  const onError = (error: NodeJS.ErrnoException) => {
    // Any other write error (EIO, ENOSPC on a redirect) fails the command; listeners must not throw.
    if (error.code !== 'EPIPE') {
      process.exitCode = EXIT.failure;
      return;
    }
    if (ending) return;
    ending = true;
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
    else process.exit(0);
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
