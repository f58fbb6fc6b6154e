import type { Command } from 'commander';
import { ActivityCardSchema } from '../../neuxnet/activity.js';
import { resolveRemoveTiming, resolveShowTiming, type ShowActivityOptions } from '../../producer/activity-options.js';
import type { ActivityResult } from '../../producer/activity-send.js';
import { loadConfig } from '../../shared/config.js';
import { assertId, IDS } from '../../shared/ids.js';
import { parseOrThrow } from '../../shared/zod-issues.js';
import { action, UsageError } from '../exit.js';
import { readJsonFile } from '../read-json.js';
import { readAudience, validityFlag } from '../activity-flags.js';
import { withProducer } from '../with-producer.js';

interface ShowFlags {
  file: string;
  recipients?: string;
  sendAt?: string;
  until?: string;
  validity?: string;
  removeAt?: string;
  idempotencyKey?: string;
  json?: boolean;
}

interface RemoveFlags {
  recipients: string;
  sendAt?: string;
  file?: string;
  json?: boolean;
}

function print(result: ActivityResult, json: boolean | undefined, verb: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (result.duplicate) {
    process.stdout.write(`already queued activity ${result.activityId} (idempotency key used before); nothing new queued\n`);
    return;
  }
  process.stdout.write(`queued ${verb} of activity ${result.activityId} (${result.jobs} delivery job${result.jobs === 1 ? '' : 's'})\n`);
}

async function show(flags: ShowFlags): Promise<void> {
  if (flags.recipients === '-' && flags.file === '-') throw new UsageError('--recipients and --file cannot both read stdin');
  if (flags.until !== undefined && flags.validity !== undefined) throw new UsageError('give either --until or --validity, not both');
  const raw = await readJsonFile(flags.file);
  const where = flags.file === '-' ? 'stdin' : flags.file;
  const card = { ...(raw as object), ...(flags.recipients !== undefined && { openIds: await readAudience(flags.recipients) }) };
  const validityTime = validityFlag(flags.validity);
  const options: ShowActivityOptions = {
    ...(flags.sendAt !== undefined && { sendAt: flags.sendAt }),
    ...(validityTime !== undefined && { validityTime }),
    ...(flags.until !== undefined && { until: flags.until }),
    ...(flags.removeAt !== undefined && { removeAt: flags.removeAt }),
    ...(flags.idempotencyKey !== undefined && { idempotencyKey: flags.idempotencyKey }),
  };
  // Validate before connecting, so bad input exits 2 even when Redis is down.
  const parsed = parseOrThrow(ActivityCardSchema, card, `activity card in ${where}`);
  if (parsed.activityId !== undefined) assertId(IDS.activity, parsed.activityId, 'activityId');
  resolveShowTiming(options, Date.now(), loadConfig().maxLatenessMs);
  const result = await withProducer((p) => p.showActivity(card as Parameters<typeof p.showActivity>[0], options));
  print(result, flags.json, 'show');
}

async function remove(id: string, flags: RemoveFlags): Promise<void> {
  assertId(IDS.activity, id, 'id');
  const audience = await readAudience(flags.recipients);
  const card = flags.file === undefined ? undefined : await readJsonFile(flags.file);
  const options = { ...(flags.sendAt !== undefined && { sendAt: flags.sendAt }), ...(card !== undefined && { card }) };
  resolveRemoveTiming(options, Date.now());
  const result = await withProducer((p) => p.removeActivity(id, audience, options));
  print(result, flags.json, 'remove');
}

export function registerActivity(program: Command): void {
  const activity = program.command('activity').description('show, update and remove activity cards on the Super App home page (sendActivity)');

  activity
    .command('show')
    .description('queue an activity card (JSON: activityId?, title, text, color, templateId, iconUrl, path?, language, openIds?); the same activityId again updates it')
    .requiredOption('-f, --file <path>', 'card JSON file; - reads stdin')
    .option('--recipients <file>', "openIds, one per line (or a campaign's CSV); instead of the card's openIds")
    .option('--send-at <time>', 'ISO instant; default now')
    .option('--until <time>', 'ISO instant the card ends (its validity is computed when it is sent)')
    .option('--validity <duration>', 'how long the card is shown (90s, 30m, 2h); instead of --until')
    .option('--remove-at <time>', 'ISO instant: also queue the remove (status 0) then; remove wins over the show')
    .option('--idempotency-key <key>', 'the same key twice queues one card and prints the same activityId')
    .option('--json', 'print one line {"activityId","id","jobs","duplicate"}')
    .action(action(show));

  activity
    .command('remove')
    .description('queue the remove (status 0) of activity card ID for the recipients; it wins over every earlier show')
    .argument('<id>', 'the activityId')
    .requiredOption('--recipients <file>', 'openIds, one per line; - reads stdin')
    .option('-f, --file <path>', 'the card JSON, when neupush did not show it (a remove sends every field again)')
    .option('--send-at <time>', 'ISO instant; default now')
    .option('--json', 'print one line {"activityId","id","jobs","duplicate"}')
    .action(action(remove));
}
