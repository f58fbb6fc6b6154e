import type { Command } from 'commander';
import { exitOnSignals } from '../exit-on-signals.js';
import { startWorker } from '../../worker/worker.js';
import { action } from '../exit.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('deliver queued notifications until SIGTERM or SIGINT (needs NEUXNET_APPID and NEUXNET_SECRET)')
    .action(
      action(async () => {
        const handle = await startWorker();
        exitOnSignals(handle.close, handle.logger);
      }),
    );
}
