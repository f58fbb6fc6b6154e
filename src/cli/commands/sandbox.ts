import type { Command } from 'commander';
import { startSandbox } from '../../sandbox/server.js';
import type { FaultRule } from '../../sandbox/sandbox.js';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';
import { exitOnSignals } from '../exit-on-signals.js';
import { action } from '../exit.js';
import { fraction, httpStatus, integer, nonNegativeNumber, port } from '../option-parsers.js';

interface SandboxFlags {
  port: number;
  host: string;
  failureRate?: number;
  status?: number;
  headerStatus?: number;
  retryAfter?: number;
  latency?: number;
  responseFalse?: boolean;
  clockOffset?: number;
}

/** The fault flags make one rule for every request; finer rules go through POST /_sandbox/faults. */
function faultFromFlags(f: SandboxFlags): FaultRule | undefined {
  const rule: FaultRule = {
    ...(f.status !== undefined && { httpStatus: f.status }),
    ...(f.headerStatus !== undefined && { headerStatus: f.headerStatus }),
    ...(f.retryAfter !== undefined && { retryAfterSeconds: f.retryAfter }),
    ...(f.responseFalse && { responseFalse: true }),
  };
  return Object.keys(rule).length > 0 ? rule : undefined;
}

/**
 * The worker needs the same credentials as the sandbox, so the suggested command names all three variables.
 * The secret is the caller's own (the sandbox generates none), so it is referred to, never printed.
 */
export function sandboxBanner(url: string, appid: string): string {
  return (
    `sandbox listening on ${url}\n` +
    `  point a worker at it: NEUXNET_APPID=${shellQuote(appid)} NEUXNET_SECRET="$NEUXNET_SECRET" NEUXNET_BASE_URL=${shellQuote(url)} neupush worker\n` +
    '    (NEUXNET_SECRET: the secret this sandbox was started with; it is not printed)\n' +
    `  stats: GET ${url}/_sandbox/stats\n`
  );
}

/** Plain ids stay readable; anything a shell would split or expand is single-quoted. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run a local stand-in for sendNotify that checks signatures with NEUXNET_APPID/NEUXNET_SECRET')
    .option('-p, --port <port>', 'TCP port; 0 picks a free one', port, 0)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--failure-rate <r>', 'fraction (0..1) of requests answered HTTP 503 at random', fraction)
    .option('--status <code>', 'answer every request with this HTTP status', httpStatus)
    .option('--header-status <code>', 'answer every request HTTP 200 with this responseHeader.status', httpStatus)
    .option('--retry-after <seconds>', 'add Retry-After: <seconds> to every answer', nonNegativeNumber)
    .option('--latency <ms>', 'delay every answer by this many ms', nonNegativeNumber)
    .option('--response-false', 'answer every request HTTP 200, status 200, response false')
    .option('--clock-offset <ms>', "the sandbox's clock runs this many ms ahead (negative: behind) of this machine", integer(-86_400_000, 86_400_000))
    .action(
      action(async (flags: SandboxFlags) => {
        const config = loadConfig();
        const missing = [!config.appid && 'NEUXNET_APPID', !config.secret && 'NEUXNET_SECRET'].filter(Boolean);
        if (missing.length > 0) throw new ConfigError(`${missing.join(' and ')} must be set: the sandbox checks signatures with NEUXNET_APPID and NEUXNET_SECRET`);
        const fault = faultFromFlags(flags);
        const sandbox = await startSandbox({
          appid: config.appid as string,
          secret: config.secret as string,
          port: flags.port,
          host: flags.host,
          ...(fault && { faults: [fault] }),
          ...(flags.failureRate !== undefined && { failureRate: flags.failureRate }),
          ...(flags.latency !== undefined && { latencyMs: flags.latency }),
          ...(flags.clockOffset !== undefined && { clockOffsetMs: flags.clockOffset }),
        });
        process.stdout.write(sandboxBanner(sandbox.url, config.appid as string));
        exitOnSignals(() => sandbox.close(), createLogger({ level: config.logLevel, destination: process.stderr }));
      }),
    );
}
