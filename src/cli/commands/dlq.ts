import { Option, type Command } from 'commander';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../../shared/job-data.js';
import type { DeadLetterEntry } from '../../shared/dead-letters.js';
import { IDS } from '../../shared/ids.js';
import { action } from '../exit.js';
import { integer } from '../option-parsers.js';
import { printTable } from '../table.js';
import { withProducer } from '../with-producer.js';
import { redriveAction } from '../redrive-action.js';

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function printDeadLetters(entries: readonly DeadLetterEntry[]): void {
  const rows = entries.map((e) => [e.id, e.reason, String(e.attempts), e.failedAt, oneLine(e.lastError, 80)]);
  printTable(['ID', 'REASON', 'ATTEMPTS', 'FAILED AT', 'LAST ERROR'], rows, 'no dead letters');
}

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect, redrive and purge the dead-letter queue');

  dlq
    .command('list')
    .description('list dead letters, oldest first')
    .option('--json', 'print a JSON array of entries')
    .option('--limit <n>', 'at most this many entries', integer(1, 1_000_000), 1_000)
    .option('--campaign <id>', "only this campaign's dead letters")
    .addOption(new Option('--reason <reason>', 'only dead letters with this reason').choices(DEAD_LETTER_REASONS))
    .action(
      action(async (flags: { json?: boolean; limit: number; campaign?: string; reason?: DeadLetterReason }) => {
        const filter = {
          limit: flags.limit,
          ...(flags.campaign !== undefined && { campaignId: flags.campaign }),
          ...(flags.reason !== undefined && { reason: flags.reason }),
        };
        const entries = await withProducer((p) => p.listDeadLetters(filter));
        if (flags.json) process.stdout.write(`${JSON.stringify(entries)}\n`);
        else printDeadLetters(entries);
      }),
    );

  dlq
    .command('redrive')
    .description('put dead letters back for delivery with fresh attempts and a fresh deadline')
    .argument('[ids...]', 'dead-letter ids (as dlq list shows them)')
    .option('--all', 'redrive every dead letter')
    .option('--json', 'print {"redriven":N,"skipped":[{"id":"…","why":"…"}]}')
    .action(redriveAction('dlq redrive', IDS.deadLetter, (p, ids) => p.redriveDeadLetters(ids)));

  dlq
    .command('purge')
    .description('delete every dead letter')
    .option('--json', 'print {"purged":N}')
    .action(
      action(async (flags: { json?: boolean }) => {
        const purged = await withProducer((p) => p.purgeDeadLetters());
        process.stdout.write(flags.json ? `${JSON.stringify({ purged })}\n` : `purged ${purged} dead letter${purged === 1 ? '' : 's'}\n`);
      }),
    );
}
