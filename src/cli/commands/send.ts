import type { Command } from 'commander';
import { Producer } from '../../producer/producer.js';
import { resolveTiming, type SendOptions } from '../../producer/send-options.js';
import { DEFAULTS, loadConfig } from '../../shared/config.js';
import { NotificationSchema } from '../../neuxnet/notification.js';
import { parseOrThrow } from '../../shared/zod-issues.js';
import { ValidationError } from '../../shared/errors.js';
import { action } from '../exit.js';
import { frequencyCapFlag } from '../option-parsers.js';
import { readJsonFile } from '../read-json.js';

interface SendFlags {
  file: string;
  sendAt?: string;
  timezone?: string;
  expiresIn?: string;
  idempotencyKey?: string;
  json?: boolean;
  /** true: the bare flag (the NEUPUSH_FREQUENCY_CAP default). */
  frequencyCap?: { max: number; per: string } | false | true;
}

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('queue one notification (JSON in the vendor field names) for delivery')
    .requiredOption('-f, --file <path>', 'notification JSON file; - reads stdin')
    .option('--send-at <time>', 'ISO instant (2026-12-01T09:00:00Z), or wall-clock time with --timezone; default now')
    .option('--timezone <zone>', 'IANA zone in which --send-at is read, e.g. Asia/Riyadh')
    .option('--expires-in <duration>', `how long after its send time it may still go out (30m, 2h); default NEUPUSH_MAX_LATENESS (${DEFAULTS.NEUPUSH_MAX_LATENESS})`)
    .option('--idempotency-key <key>', 'the same key twice queues one notification and prints the first id')
    .option(
      '--frequency-cap [N/duration]',
      'count this send under a per-recipient frequency cap: N/duration (2/24h), or bare for the NEUPUSH_FREQUENCY_CAP default; default: not capped',
      frequencyCapFlag,
    )
    .option('--json', 'print one line {"id":"…","jobs":N,"duplicate":false} (true when the idempotency key was seen before)')
    .action(
      action(async (flags: SendFlags) => {
        const input = await readJsonFile(flags.file);
        const config = loadConfig();
        const options: SendOptions = {
          ...(flags.sendAt !== undefined && { sendAt: flags.sendAt }),
          ...(flags.timezone !== undefined && { timezone: flags.timezone }),
          ...(flags.expiresIn !== undefined && { expiresIn: flags.expiresIn }),
          ...(flags.idempotencyKey !== undefined && { idempotencyKey: flags.idempotencyKey }),
          ...(flags.frequencyCap !== undefined && { frequencyCap: flags.frequencyCap }),
        };
        // Validate before connecting, so bad input exits 2 even when Redis is down.
        const notification = parseOrThrow(NotificationSchema, input, `notification in ${flags.file === '-' ? 'stdin' : flags.file}`);
        const timing = resolveTiming(options, Date.now(), config.maxLatenessMs);
        if (flags.frequencyCap === true && config.frequencyCap === undefined) {
          throw new ValidationError('send options', [{ field: 'frequencyCap', rule: 'is true, but no NEUPUSH_FREQUENCY_CAP default is set: give --frequency-cap N/duration' }]);
        }

        const producer = await Producer.create({ config });
        try {
          const result = await producer.send(notification, options);
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ id: result.id, jobs: result.jobs, duplicate: result.duplicate })}\n`);
            return;
          }
          if (result.duplicate) {
            process.stdout.write(`already queued ${result.id} (idempotency key used before for this request); nothing new queued\n`);
            return;
          }
          const when = timing.sendAt <= Date.now() ? 'now' : `at ${new Date(timing.sendAt).toISOString()}`;
          const jobs = `${result.jobs} delivery job${result.jobs === 1 ? '' : 's'}`;
          process.stdout.write(`queued ${result.id} (${jobs}), sending ${when}, deadline ${new Date(timing.deadline).toISOString()}\n`);
        } finally {
          await producer.close();
        }
      }),
    );
}
