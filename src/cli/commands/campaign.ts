import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Producer } from '../../producer/producer.js';
import { resolveCampaignSpec, type CreateCampaignOptions } from '../../producer/campaign-options.js';
import { CampaignNotFoundError } from '../../shared/campaign-cancel.js';
import type { CampaignStatus } from '../../shared/campaign-status.js';
import { DEFAULTS, loadConfig } from '../../shared/config.js';
import { IdempotencyConflictError } from '../../shared/errors.js';
import { assertId, IDS } from '../../shared/ids.js';
import { action, UsageError } from '../exit.js';
import { printTable } from '../table.js';
import { withProducer } from '../with-producer.js';
import { frequencyCapFlag, integer, quietHours } from '../option-parsers.js';
import { readJsonFile } from '../read-json.js';
import { checkRecipientsFile, openRecipients } from '../recipients-file.js';
import { printDryRun } from '../campaign-dry-run.js';
import { validityFlag } from '../activity-flags.js';

interface CreateFlags {
  recipients: string;
  file?: string;
  /** An activity card instead of the notification file. */
  activity?: string;
  validity?: string;
  until?: string;
  id?: string;
  sendAt?: string;
  timezone?: string;
  localTime?: string;
  defaultTimezone?: string;
  expiresIn?: string;
  quietHours?: { from: string; to: string };
  throttle?: number;
  json?: boolean;
  dryRun?: boolean;
  frequencyCap?: { max: number; per: string } | false;
}

const FINAL_STATES = new Set(['completed', 'completed_with_failures', 'cancelled']);

/** What `campaign status --json` prints; scripts depend on these keys (new ones are only ever added). */
function statusJson(s: CampaignStatus): string {
  const { id, state, recipients, sent, failed, cancelled, pending, retrying = 0, failedByReason = {}, firstSendAt, lastSendAt, byLanguage } = s;
  const { heldByQuietHours, expectedFinishAt, capped, frequencyCap } = s;
  return JSON.stringify({
    ...{ id, state, recipients, sent, failed, cancelled, pending, retrying, failedByReason, firstSendAt, lastSendAt, byLanguage },
    ...{ heldByQuietHours, expectedFinishAt, capped, frequencyCap },
  });
}

const byReason = (s: CampaignStatus) =>
  Object.entries(s.failedByReason ?? {})
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');

/** Why a campaign seems stuck short of 100 %: retries waiting for their backoff, dead letters. */
function detailLines(s: CampaignStatus): string[] {
  const lines: string[] = [];
  if ((s.retrying ?? 0) > 0) lines.push(`  retrying ${s.retrying} (failed an attempt; the worker tries again after a backoff)`);
  if (s.failed > 0) {
    const reasons = byReason(s);
    lines.push(`  dead-lettered ${s.failed}${reasons ? ` (${reasons})` : ''}: neupush dlq list --campaign ${s.id}`);
  }
  if (s.quietHours) lines.push(`  quiet hours ${s.quietHours} (recipient's clock): ${s.heldByQuietHours ?? 0} recipients moved to its end`);
  if (s.throttle !== undefined) lines.push(`  paced ${s.throttle} recipients a minute${s.expectedFinishAt ? `: last due ${s.expectedFinishAt}` : ''}`);
  if (s.firstSendAt) lines.push(`  due ${s.firstSendAt === s.lastSendAt || !s.lastSendAt ? s.firstSendAt : `${s.firstSendAt} to ${s.lastSendAt}`}${s.startedAt ? `; first delivery ${s.startedAt}` : ''}`);
  return lines;
}

function statusText(s: CampaignStatus): string {
  const when = s.localTime ? `at ${s.localTime} local time` : s.firstSendAt ? `from ${s.firstSendAt}` : '';
  const lines = [
    `campaign ${s.id}: ${s.state}${s.enqueued ? '' : ' (recipients still being queued, or creation interrupted: run create again to resume)'}`,
    `  "${s.title}" ${when}`.trimEnd(),
    `  recipients ${s.recipients}  sent ${s.sent}  failed ${s.failed}  cancelled ${s.cancelled}${s.frequencyCap ? `  capped ${s.capped}` : ''}  pending ${s.pending}  (${s.jobs} jobs)`,
    ...(s.frequencyCap ? [`  frequency cap ${s.frequencyCap} per recipient`] : []),
    ...Object.entries(s.byLanguage ?? {}).map(([l, c]) => `  ${l}: recipients ${c.recipients}  sent ${c.sent}  failed ${c.failed}  cancelled ${c.cancelled}  pending ${c.pending}`),
    ...detailLines(s),
    `  created ${s.createdAt}${s.completedAt ? `, completed ${s.completedAt}` : ''}${s.cancelledAt ? `, cancelled ${s.cancelledAt}` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

function printCampaigns(list: readonly CampaignStatus[]): void {
  const header = ['ID', 'STATE', 'RECIPIENTS', 'SENT', 'FAILED', 'CANCELLED', 'PENDING', 'CREATED', 'TITLE'];
  const rows = list.map((s) => [s.id, s.state, ...[s.recipients, s.sent, s.failed, s.cancelled, s.pending].map(String), s.createdAt, s.title]);
  printTable(header, rows, 'no campaigns');
}

/** The notification file, or an activity card (`--activity`) with its validity: exactly one. */
async function campaignContent(flags: CreateFlags): Promise<Pick<CreateCampaignOptions, 'notification' | 'activity' | 'validityTime' | 'until'>> {
  if ((flags.file === undefined) === (flags.activity === undefined)) throw new UsageError('give exactly one of --file (a notification) and --activity (an activity card)');
  if (flags.activity === undefined) return { notification: (await readJsonFile(flags.file as string)) as CreateCampaignOptions['notification'] };
  if (flags.until !== undefined && flags.validity !== undefined) throw new UsageError('give either --until or --validity, not both');
  const validityTime = validityFlag(flags.validity);
  return {
    activity: (await readJsonFile(flags.activity)) as CreateCampaignOptions['activity'],
    ...(validityTime !== undefined && { validityTime }),
    ...(flags.until !== undefined && { until: flags.until }),
  };
}

async function create(flags: CreateFlags): Promise<void> {
  if (flags.sendAt !== undefined && flags.localTime !== undefined) throw new UsageError('give either --send-at or --local-time, not both');
  const content = await campaignContent(flags);
  const config = loadConfig();
  const timing = {
    ...content,
    ...(flags.id !== undefined && { id: flags.id }),
    ...(flags.sendAt !== undefined && { sendAt: flags.sendAt }),
    ...(flags.timezone !== undefined && { timezone: flags.timezone }),
    ...(flags.localTime !== undefined && { localTime: flags.localTime }),
    ...(flags.defaultTimezone !== undefined && { defaultTimezone: flags.defaultTimezone }),
    ...(flags.expiresIn !== undefined && { expiresIn: flags.expiresIn }),
    ...(flags.quietHours !== undefined && { quietHours: flags.quietHours }),
    ...(flags.throttle !== undefined && { throttle: { perMinute: flags.throttle } }),
    ...(flags.frequencyCap !== undefined && { frequencyCap: flags.frequencyCap }),
  };
  // Everything but the recipients is checked before the file is read or Redis is touched.
  resolveCampaignSpec({ ...timing, recipients: [] }, Date.now(), config.maxLatenessMs, config.frequencyCap);
  const fileOptions = { requireZone: (flags.localTime !== undefined || flags.quietHours !== undefined) && flags.defaultTimezone === undefined };
  if (flags.dryRun) return printDryRun(config, { ...timing, recipients: await openRecipients(flags.recipients, fileOptions) }, flags.json === true);
  // A file is read twice: first to check every line, so bad input queues nothing; stdin can only be read
  // once, so a bad line there stops creation at its batch (the message says how to resume).
  const total = flags.recipients === '-' ? undefined : await checkRecipientsFile(flags.recipients, fileOptions);
  const recipients = await openRecipients(flags.recipients, fileOptions);

  const bar =
    process.stderr.isTTY === true
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format:
              total === undefined
                ? 'queueing {value} recipients read | {jobs} jobs'
                : 'queueing [{bar}] {percentage}% | {value}/{total} lines read | {jobs} jobs',
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(total ?? 0, 0, { jobs: 0 });
  try {
    const result = await withProducer((p) =>
      p.createCampaign({ ...timing, recipients, onProgress: (pr) => bar?.update(pr.read, { jobs: pr.jobs }) }),
    ).catch((error: unknown) => {
      // The id is taken by a different campaign: bad input, like any other refused request.
      throw error instanceof IdempotencyConflictError ? new UsageError(error.message) : error;
    });
    bar?.stop();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ id: result.id, recipients: result.recipients, jobs: result.jobs })}\n`);
      return;
    }
    const what = result.existing ? 'already queued' : result.cancelled ? 'cancelled while queueing' : 'queued';
    process.stdout.write(`campaign ${result.id} ${what}: ${result.recipients} recipients in ${result.jobs} delivery jobs\n`);
  } finally {
    bar?.stop();
  }
}

async function watch(producer: Producer, id: string, json: boolean, intervalMs: number): Promise<CampaignStatus> {
  const bar =
    !json && process.stderr.isTTY === true
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: '{state} [{bar}] {percentage}% | {value}/{total} | sent {sent} failed {failed} cancelled {cancelled} retrying {retrying}',
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let last = '';
  let status = await producer.getCampaign(id);
  if (!status) throw new UsageError(`no campaign with id ${id}`);
  // Every format token gets a value from the first frame on, or cli-progress prints `{state}` as is.
  const tokens = (s: CampaignStatus) => ({ state: s.state, sent: s.sent, failed: s.failed, cancelled: s.cancelled, retrying: s.retrying ?? 0 });
  bar?.start(status.recipients, status.sent + status.failed + status.cancelled, tokens(status));
  for (;;) {
    const line = statusJson(status);
    if (line !== last) {
      last = line;
      const done = status.sent + status.failed + status.cancelled;
      if (bar) {
        bar.setTotal(status.recipients);
        bar.update(done, tokens(status));
      } else if (json) process.stdout.write(`${line}\n`);
      else {
        const reasons = byReason(status);
        const counts = `sent ${status.sent}, failed ${status.failed}${reasons ? ` (${reasons})` : ''}, cancelled ${status.cancelled}, retrying ${status.retrying ?? 0}`;
        process.stdout.write(`${status.state}: ${done}/${status.recipients} (${counts})\n`);
      }
    }
    if (FINAL_STATES.has(status.state)) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const next = await producer.getCampaign(id);
    if (!next) throw new Error(`campaign ${id} disappeared while watching`);
    status = next;
  }
  bar?.stop();
  return status;
}

export function registerCampaign(program: Command): void {
  const campaign = program.command('campaign').description('create, track and cancel campaigns: one notification to a large audience');

  campaign
    .command('create')
    .description('queue a campaign, streaming its recipients from FILE')
    .requiredOption('--recipients <file>', 'one openId per line, CSV openId,timezone, or CSV with a header row naming openId, timezone, language in any order; - reads stdin; blank lines are skipped')
    .option('-f, --file <path>', 'notification JSON (without openIds); - reads stdin')
    .option('--activity <path>', 'an activity card JSON (without openIds) instead of --file; needs --validity or --until')
    .option('--validity <duration>', 'with --activity: how long the card is shown (90s, 30m, 2h)')
    .option('--until <time>', 'with --activity: ISO instant the card ends')
    .option('--id <id>', 'campaign id; the same id again resumes an interrupted create (default: generated)')
    .option('--send-at <time>', 'ISO instant, or wall-clock time with --timezone; default now')
    .option('--timezone <zone>', 'IANA zone in which --send-at is read')
    .option('--local-time <HH:MM>', "deliver at this time in each recipient's zone (today if still ahead, else tomorrow)")
    .option('--default-timezone <zone>', 'zone of recipients without one, with --local-time or --quiet-hours')
    .option('--quiet-hours <HH:MM-HH:MM>', "move a send time inside this window (recipient's clock; may wrap midnight, 22:00-08:00) to its end", quietHours)
    .option('--throttle <n>', 'at most n recipients a minute become due, spread evenly (1 to 1000000)', integer(1, 1_000_000))
    .option('--expires-in <duration>', `how long after its send time each delivery may still go out; default NEUPUSH_MAX_LATENESS (${DEFAULTS.NEUPUSH_MAX_LATENESS})`)
    .option('--frequency-cap <N/duration>', 'at most N capped notifications per recipient in any rolling window (2/24h); off: no cap; default NEUPUSH_FREQUENCY_CAP', frequencyCapFlag)
    .option('--json', 'print one line {"id":"…","recipients":N,"jobs":M} (with --dry-run: the plan)')
    .option('--dry-run', 'check everything and print the plan (recipients, requests, per language, send times); writes nothing')
    .action(
      action(async (flags: CreateFlags) => {
        if (flags.recipients === '-' && (flags.file ?? flags.activity) === '-') throw new UsageError('--recipients and --file cannot both read stdin');
        await create(flags);
      }),
    );

  campaign
    .command('status')
    .description("a campaign's state and counts")
    .argument('<id>')
    .option('--json', 'print {"id","state","recipients","sent","failed","cancelled","pending","retrying","failedByReason","byLanguage",…} (with --watch: one line per change)')
    .option('--watch', 'follow it with a live progress bar until it ends')
    .option('--interval <ms>', 'with --watch, how often to look', integer(50, 60_000), 500)
    .action(
      action(async (id: string, flags: { json?: boolean; watch?: boolean; interval: number }) => {
        assertId(IDS.campaign, id);
        await withProducer(async (p) => {
          if (flags.watch) {
            const final = await watch(p, id, flags.json === true, flags.interval);
            if (!flags.json) process.stdout.write(statusText(final));
            return;
          }
          const status = await p.getCampaign(id);
          if (!status) throw new UsageError(`no campaign with id ${id}`);
          process.stdout.write(flags.json ? `${statusJson(status)}\n` : statusText(status));
        });
      }),
    );

  campaign
    .command('cancel')
    .description('stop a campaign: nothing more of it is sent once this returns')
    .argument('<id>')
    .option('--json', 'print the final status with "stopped"')
    .action(
      action(async (id: string, flags: { json?: boolean }) => {
        assertId(IDS.campaign, id);
        await withProducer(async (p) => {
          try {
            const r = await p.cancelCampaign(id);
            if (flags.json) {
              process.stdout.write(`${JSON.stringify({ ...JSON.parse(statusJson(r)), stopped: r.stopped })}\n`);
              return;
            }
            const head = r.state === 'cancelled' ? `cancelled ${id}: stopped ${r.stopped} recipients` : `${id} had already ended (${r.state}); nothing to stop`;
            process.stdout.write(`${head}; sent ${r.sent}, failed ${r.failed}, cancelled ${r.cancelled}, pending ${r.pending}\n`);
          } catch (error) {
            if (error instanceof CampaignNotFoundError) throw new UsageError(error.message);
            throw error;
          }
        });
      }),
    );

  campaign
    .command('list')
    .description('campaigns, newest first')
    .option('--json', 'print a JSON array of campaign statuses')
    .option('--limit <n>', 'at most this many', integer(1, 100_000), 100)
    .action(
      action(async (flags: { json?: boolean; limit: number }) => {
        const list = await withProducer((p) => p.listCampaigns({ limit: flags.limit }));
        if (flags.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else printCampaigns(list);
      }),
    );
}
