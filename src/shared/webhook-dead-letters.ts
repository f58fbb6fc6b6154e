import type { Config } from './config.js';
import { assertIds, IDS } from './ids.js';
import type { WebhookDeadLetterQueue, WebhookQueue } from './queues.js';
import { webhookJobId, webhookJobOptions, type WebhookDeadLetterReason, type WebhookJobData } from './webhook-jobs.js';

/** One webhook dead letter as `neupush webhooks list-failed --json` prints it. */
export interface WebhookDeadLetterEntry {
  id: string;
  reason: WebhookDeadLetterReason;
  attempts: number;
  lastHttpStatus?: number;
  lastError: string;
  /** The event's type and `webhook-id` (absent for `invalid`). */
  type?: string;
  webhookId?: string;
  /** Which configured URL (a digest of it; the URL itself is never stored). */
  target?: string;
  failedAt: string;
}

export interface WebhookRedriveResult {
  redriven: number;
  skipped: { id: string; why: string }[];
}

// No worker consumes the dead letters, so they stay in the wait list.
const STATES = ['wait', 'prioritized', 'delayed'] as const;

function webhookOf(raw: unknown): WebhookJobData | undefined {
  const d = raw as Partial<WebhookJobData> | undefined;
  return d?.v === 1 && typeof d.webhookId === 'string' && typeof d.target === 'string' && typeof d.event?.type === 'string'
    ? (d as WebhookJobData)
    : undefined;
}

export async function listWebhookDeadLetters(queue: WebhookDeadLetterQueue, { limit = 1_000, offset = 0 } = {}): Promise<WebhookDeadLetterEntry[]> {
  const jobs = await queue.getJobs([...STATES], offset, offset + limit - 1, true);
  return jobs
    .filter((j) => j?.id !== undefined)
    .map((j) => {
      const d = j.data;
      const webhook = webhookOf(d.webhook);
      return {
        id: j.id as string,
        reason: d.reason,
        attempts: d.attempts,
        ...(d.lastHttpStatus !== undefined && { lastHttpStatus: d.lastHttpStatus }),
        lastError: d.lastError,
        ...(webhook && { type: webhook.event.type, webhookId: webhook.webhookId, target: webhook.target }),
        failedAt: new Date(d.failedAt).toISOString(),
      };
    });
}

/**
 * Put webhook dead letters back with fresh attempts. The event, its `webhook-id` and its body are the
 * same, so a receiver that de-duplicates on the id sees it once; the job id gets `.r<n>`. The new job is
 * added before the dead letter is removed: a crash between the two duplicates, never loses.
 */
export async function redriveWebhookDeadLetters(
  ctx: { config: Readonly<Config>; deadLetters: WebhookDeadLetterQueue; webhooks: WebhookQueue },
  ids: readonly string[] | 'all',
): Promise<WebhookRedriveResult> {
  if (ids !== 'all') assertIds(IDS.webhookDeadLetter, ids, 'ids');
  const jobs =
    ids === 'all' ? await ctx.deadLetters.getJobs([...STATES]) : await Promise.all(ids.map(async (id) => (await ctx.deadLetters.getJob(id)) ?? id));
  const result: WebhookRedriveResult = { redriven: 0, skipped: [] };
  for (const job of jobs) {
    if (typeof job === 'string') {
      result.skipped.push({ id: job, why: 'no webhook dead letter with this id' });
      continue;
    }
    if (!job?.id) continue;
    const old = webhookOf(job.data.webhook);
    if (!old) {
      result.skipped.push({ id: job.id, why: 'its job data is not a webhook event (reason invalid)' });
      continue;
    }
    const redrives = (old.redrives ?? 0) + 1;
    const data: WebhookJobData = { ...old, redrives };
    await ctx.webhooks.add(old.event.type, data, webhookJobOptions(ctx.config, webhookJobId(old.webhookId, old.target, redrives)));
    await job.remove();
    result.redriven += 1;
  }
  return result;
}
