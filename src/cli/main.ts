import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { endQuietlyOnClosedOutput } from './closed-output.js';
import { registerCommands } from './commands/index.js';
import { applyParserManners } from './parser-errors.js';

// The same relative path from src/cli/main.ts and from the compiled dist/cli/main.js.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

endQuietlyOnClosedOutput();

const program = new Command('neupush')
  .description('Reliable, on-time Neuxnet Super App push notifications on BullMQ and Redis')
  .version(version, '-V, --version', 'print the version');

registerCommands(program);
applyParserManners(program, process.argv.slice(2));

await program.parseAsync(process.argv);
