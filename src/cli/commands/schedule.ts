import type { Command } from 'commander';
import { resolveSchedule } from '../../producer/schedule-options.js';
import type { ScheduleInfo } from '../../producer/schedules.js';
import { NotificationSchema } from '../../neuxnet/notification.js';
import { assertId, IDS } from '../../shared/ids.js';
import { parseOrThrow } from '../../shared/zod-issues.js';
import { action, UsageError } from '../exit.js';
import { readJsonFile } from '../read-json.js';
import { printTable } from '../table.js';
import { withProducer } from '../with-producer.js';

interface SetFlags {
  cron: string;
  timezone: string;
  file: string;
  start?: string;
  end?: string;
  json?: boolean;
}

function printSchedules(list: readonly ScheduleInfo[]): void {
  const rows = list.map((s) => [s.id, s.cron, s.timezone, s.next ?? '-', s.endDate ?? '-', s.notification?.title ?? '']);
  printTable(['ID', 'CRON', 'TIMEZONE', 'NEXT', 'UNTIL', 'TITLE'], rows, 'no schedules');
}

export function registerSchedule(program: Command): void {
  const schedule = program.command('schedule').description('recurring notifications on a cron schedule');

  schedule
    .command('set')
    .description('create or replace the recurring schedule ID')
    .argument('<id>')
    .requiredOption('--cron <expr>', 'five fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1"')
    .requiredOption('--timezone <zone>', 'IANA zone in which the cron expression is read, e.g. Asia/Riyadh')
    .requiredOption('-f, --file <path>', 'notification JSON; - reads stdin')
    .option('--start <iso>', 'no firing before this instant')
    .option('--end <iso>', 'no firing after this instant')
    .option('--json', 'print the schedule as JSON')
    .action(
      action(async (id: string, flags: SetFlags) => {
        const input = await readJsonFile(flags.file);
        const options = {
          cron: flags.cron,
          timezone: flags.timezone,
          ...(flags.start !== undefined && { startDate: flags.start }),
          ...(flags.end !== undefined && { endDate: flags.end }),
        };
        // Checked before connecting, so bad input exits 2 even when Redis is down.
        resolveSchedule(id, options, Date.now());
        const notification = parseOrThrow(NotificationSchema, input, `notification in ${flags.file === '-' ? 'stdin' : flags.file}`);
        const info = await withProducer((p) => p.upsertSchedule(id, options, notification));
        if (flags.json) process.stdout.write(`${JSON.stringify(info)}\n`);
        else process.stdout.write(`schedule ${info.id} set: "${info.cron}" in ${info.timezone}, next at ${info.next ?? 'never'}\n`);
      }),
    );

  schedule
    .command('list')
    .description('schedules, soonest next firing first')
    .option('--json', 'print a JSON array')
    .action(
      action(async (flags: { json?: boolean }) => {
        const list = await withProducer((p) => p.listSchedules());
        if (flags.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else printSchedules(list);
      }),
    );

  schedule
    .command('remove')
    .description('remove a schedule and its next firing')
    .argument('<id>')
    .action(
      action(async (id: string) => {
        assertId(IDS.schedule, id);
        const removed = await withProducer((p) => p.removeSchedule(id));
        if (!removed) throw new UsageError(`no schedule with id ${id}`);
        process.stdout.write(`schedule ${id} removed\n`);
      }),
    );
}
