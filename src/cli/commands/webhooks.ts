import type { Command } from 'commander';
import { IDS } from '../../shared/ids.js';
import { action } from '../exit.js';
import { integer } from '../option-parsers.js';
import { printTable } from '../table.js';
import { withProducer } from '../with-producer.js';
import { redriveAction } from '../redrive-action.js';

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
    .action(redriveAction('webhooks redrive', IDS.webhookDeadLetter, (p, ids) => p.redriveWebhookDeadLetters(ids)));
}
