import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';

const program = new Command('neupush')
  .description('Reliable, on-time Neuxnet Super App push notifications on BullMQ and Redis')
  .showHelpAfterError()
  .exitOverride((err: CommanderError) => {
    // --help and --version are successes; every other commander error is bad input.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerCommands(program);

await program.parseAsync(process.argv);
