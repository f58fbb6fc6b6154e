import { Command } from 'commander';
import { endQuietlyOnClosedOutput } from './closed-output.js';
import { registerCommands } from './commands/index.js';
import { packageVersion } from './package-version.js';
import { applyParserManners } from './parser-errors.js';

endQuietlyOnClosedOutput();

const program = new Command('neupush')
  .description('Reliable, on-time Neuxnet Super App push notifications on BullMQ and Redis')
  .version(packageVersion(), '-V, --version', 'print the version');

registerCommands(program);
applyParserManners(program, process.argv.slice(2));

await program.parseAsync(process.argv);
