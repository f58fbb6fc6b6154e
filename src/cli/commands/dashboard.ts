import { InvalidArgumentError, type Command } from 'commander';
import { startDashboard } from '../../dashboard/server.js';
import { DEFAULTS } from '../../shared/config.js';
import { exitOnSignals } from '../exit-on-signals.js';
import { action } from '../exit.js';
import { port } from '../option-parsers.js';

interface DashboardFlags {
  port?: number;
  host?: string;
  readOnly?: boolean;
  insecure?: boolean;
  origin?: string[];
}

/** An origin is scheme://host[:port], as browsers send it in the Origin header. */
function origin(value: string, previous: string[] = []): string[] {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.origin !== value || !/^https?:$/.test(parsed.protocol)) {
    throw new InvalidArgumentError(`must be an origin such as https://dash.example.com (scheme, host and port only), got ${value}`);
  }
  return [...previous, value];
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description(
      'Bull Board over the deliveries, dead-letters and schedules queues, behind basic auth ' +
        '(NEUPUSH_DASHBOARD_USER, NEUPUSH_DASHBOARD_PASSWORD); runs until SIGTERM or SIGINT',
    )
    .option('--port <port>', `port to listen on (default NEUPUSH_DASHBOARD_PORT, ${DEFAULTS.NEUPUSH_DASHBOARD_PORT})`, port)
    .option('--host <host>', 'interface to bind (default 0.0.0.0; 127.0.0.1 with --insecure)')
    .option('--read-only', 'hide the buttons and refuse every change on the server (403); also NEUPUSH_DASHBOARD_READ_ONLY=true')
    .option('--insecure', 'run WITHOUT credentials, or with a password under 16 characters, on 127.0.0.1 only')
    .option('--origin <origin>', 'origin browsers reach the dashboard at, when a proxy rewrites Host (repeatable)', origin)
    .action(
      action(async (flags: DashboardFlags) => {
        const dashboard = await startDashboard({
          ...(flags.port !== undefined && { port: flags.port }),
          ...(flags.host !== undefined && { host: flags.host }),
          ...(flags.readOnly && { readOnly: true }),
          ...(flags.insecure && { insecure: true }),
          ...(flags.origin && { origins: flags.origin }),
        });
        process.stderr.write(`neupush dashboard at ${dashboard.url}${dashboard.readOnly ? ' (read-only)' : ''}\n`);
        exitOnSignals(dashboard.close, dashboard.logger);
      }),
    );
}
