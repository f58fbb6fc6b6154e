/**
 * A worker as a deployment runs it, for tests that signal or kill a real process: configuration from the
 * environment only, JSON logs on stdout, SIGTERM/SIGINT handled by the production shutdown path.
 * Spawn with `node --import tsx test/helpers/worker-process.ts` (see `spawnWorkerProcess`).
 */
import { startWorker } from '../../src/worker/worker.js';
import { exitOnSignals } from '../../src/cli/exit-on-signals.js';
import { createLogger } from '../../src/shared/logger.js';
import { loadConfig } from '../../src/shared/config.js';

// Plain JSON lines even if stdout happens to be a terminal, so the parent can parse them.
const logger = createLogger({ level: loadConfig().logLevel, destination: process.stdout });
const handle = await startWorker({ logger });
exitOnSignals(handle.close, handle.logger);
