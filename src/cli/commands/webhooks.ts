import type { Command } from 'commander';
import { assertIds, IDS } from '../../shared/ids.js';
import { action, EXIT, UsageError } from '../exit.js';
import { integer } from '../option-parsers.js';
import { printTable } from '../table.js';
import { withProducer } from '../with-producer.js';

export function registerWebhooks(program: Command): void {
  const webhooks = program.command('webhooks').description('inspect and redrive webhook events that could not be delivered');

  webhooks
    .command('list-failed')
    .description('list webhook dead letters, oldest first')
    .option('--json', 'print a JSON array of entries')
    .option('--limit <n>', 'at most this many entries', integer(1, 1_000_000), 1_000)
    .action(
      action(async (flags: { json?: boolean; limit: number }) => {
        const entries = await withProducer((p) => p.listWebhookDeadLetters({ limit: flags.limit }));
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(entries)}\n`);
          return;
        }
        const rows = entries.map((e) => [e.id, e.reason, e.type ?? '-', String(e.attempts), e.failedAt, e.lastError]);
        printTable(['ID', 'REASON', 'TYPE', 'ATTEMPTS', 'FAILED AT', 'LAST ERROR'], rows, 'no failed webhooks');
      }),
    );

  webhooks
    .command('redrive')
    .description('send webhook dead letters again: same event and webhook-id, fresh attempts')
    .argument('[ids...]', 'ids as webhooks list-failed shows them')
    .option('--all', 'redrive every webhook dead letter')
    .option('--json', 'print {"redriven":N,"skipped":[{"id":"…","why":"…"}]}')
    .action(
      action(async (ids: string[], flags: { all?: boolean; json?: boolean }) => {
        if ((flags.all === true) === (ids.length > 0)) throw new UsageError('webhooks redrive: give either --all or one or more ids');
        assertIds(IDS.webhookDeadLetter, ids, 'ids');
        const result = await withProducer((p) => p.redriveWebhookDeadLetters(flags.all ? 'all' : ids));
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`redriven ${result.redriven}, skipped ${result.skipped.length}\n`);
        for (const s of result.skipped) process.stderr.write(`neupush: skipped ${s.id}: ${s.why}\n`);
        if (result.skipped.length > 0) process.exitCode = result.redriven === 0 ? EXIT.badInput : EXIT.failure;
      }),
    );
}
