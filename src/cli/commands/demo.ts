import type { Command } from 'commander';
import { runDemo } from '../demo/run-demo.js';
import { action } from '../exit.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a sandbox, a worker and a few notifications that show the features, then print a summary (npm start)')
    .action(action(() => runDemo()));
}
