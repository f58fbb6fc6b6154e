import type { Command } from 'commander';
import { startApi } from '../../producer/http/server.js';
import { DEFAULTS } from '../../shared/config.js';
import { exitOnSignals } from '../exit-on-signals.js';
import { action } from '../exit.js';
import { port } from '../option-parsers.js';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description('HTTP intake API (bearer token NEUPUSH_API_TOKEN); runs until SIGTERM or SIGINT. Described at /openapi.json')
    .option('--port <port>', `port to listen on (default NEUPUSH_API_PORT, ${DEFAULTS.NEUPUSH_API_PORT})`, port)
    .option('--host <host>', 'interface to bind (default 0.0.0.0; 127.0.0.1 with --insecure)')
    .option('--insecure', 'accept a NEUPUSH_API_TOKEN shorter than 16 characters, on 127.0.0.1 only')
    .action(
      action(async (flags: { port?: number; host?: string; insecure?: boolean }) => {
        const api = await startApi({
          ...(flags.port !== undefined && { port: flags.port }),
          ...(flags.host !== undefined && { host: flags.host }),
          ...(flags.insecure && { insecure: true }),
        });
        process.stderr.write(`neupush api at ${api.url} (OpenAPI: ${api.url}/openapi.json)\n`);
        exitOnSignals(api.close, api.logger);
      }),
    );
}
