import type { Command } from 'commander';
import { startDashboard } from '../../dashboard/server.js';
import { exitOnSignals } from '../exit-on-signals.js';
import { action } from '../exit.js';
import { port } from '../option-parsers.js';

interface DashboardFlags {
  port?: number;
  host?: string;
  readOnly?: boolean;
  insecure?: boolean;
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description(
      'Bull Board over the deliveries and dead-letters queues, behind basic auth ' +
        '(NEUPUSH_DASHBOARD_USER, NEUPUSH_DASHBOARD_PASSWORD); runs until SIGTERM or SIGINT',
    )
    .option('--port <port>', 'port to listen on (default NEUPUSH_DASHBOARD_PORT, 3000)', port)
    .option('--host <host>', 'interface to bind (default 0.0.0.0; 127.0.0.1 with --insecure)')
    .option('--read-only', 'hide the buttons and refuse every change on the server (403); also NEUPUSH_DASHBOARD_READ_ONLY=true')
    .option('--insecure', 'run WITHOUT credentials, or with a password under 16 characters, on 127.0.0.1 only')
    .action(
      action(async (flags: DashboardFlags) => {
        const dashboard = await startDashboard({
          ...(flags.port !== undefined && { port: flags.port }),
          ...(flags.host !== undefined && { host: flags.host }),
          ...(flags.readOnly && { readOnly: true }),
          ...(flags.insecure && { insecure: true }),
        });
        process.stderr.write(`neupush dashboard at ${dashboard.url}${dashboard.readOnly ? ' (read-only)' : ''}\n`);
        exitOnSignals(dashboard.close, dashboard.logger);
      }),
    );
}
