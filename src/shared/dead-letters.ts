import type { Config } from './config.js';
import { assertIds, IDS } from './ids.js';
import { DeliveryJobSchema, type DeadLetterData, type DeadLetterReason, type DeliveryJobData } from './job-data.js';
import type { Notification } from '../neuxnet/notification.js';
import { JOB_NAME, PRIORITY } from './queue-names.js';
import { deliveryJobOptions, type DeadLetterQueue, type DeliveryQueue } from './queues.js';

/** One dead letter as `neupush dlq list --json` prints it. */
export interface DeadLetterEntry {
  id: string;
  reason: DeadLetterReason;
  attempts: number;
  lastError: string;
  lastStatus?: number;
  lastHttpStatus?: number;
  notificationId?: string;
  /** Set for an activity card's dead letter, with its id. */
  kind?: 'activity';
  activityId?: string;
  campaignId?: string;
  /** The notification (or activity card) as queued (for `invalid`, whatever the job held). */
  notification: Notification | unknown;
  recipients?: number;
  queuedAt: string;
  failedAt: string;
}

export interface RedriveResult {
  /** Dead letters put back as new delivery jobs. */
  redriven: number;
  /** Those that cannot be redriven (unknown id, or job data that fails the schema), with why. */
  skipped: { id: string; why: string }[];
}

function toEntry(id: string, d: DeadLetterData): DeadLetterEntry {
  const delivery = d.delivery as { notificationId?: unknown; campaignId?: unknown; notification?: { openIds?: unknown }; kind?: unknown; activity?: { activityId?: unknown; openIds?: unknown } } | undefined;
  // An activity card's dead letter shows the card where a notification's shows the notification.
  const activity = delivery?.kind === 'activity' ? delivery.activity : undefined;
  const notification = activity ?? delivery?.notification ?? d.delivery;
  const openIds = activity ? activity.openIds : delivery?.notification?.openIds;
  return {
    id,
    reason: d.reason,
    attempts: d.attempts,
    lastError: d.lastError,
    ...(d.lastStatus !== undefined && { lastStatus: d.lastStatus }),
    ...(d.lastHttpStatus !== undefined && { lastHttpStatus: d.lastHttpStatus }),
    ...(typeof delivery?.notificationId === 'string' && { notificationId: delivery.notificationId }),
    ...(typeof activity?.activityId === 'string' && { kind: 'activity' as const, activityId: activity.activityId }),
    ...(typeof delivery?.campaignId === 'string' && { campaignId: delivery.campaignId }),
    notification,
    ...(Array.isArray(openIds) && { recipients: openIds.length }),
    queuedAt: new Date(d.queuedAt).toISOString(),
    failedAt: new Date(d.failedAt).toISOString(),
  };
}

// Dead letters have no worker, so they stay in the wait list.
const DEAD_LETTER_STATES = ['wait', 'prioritized', 'delayed'] as const;

export interface ListDeadLettersOptions {
  /** Default 1000. */
  limit?: number;
  /** Default 0. */
  offset?: number;
  /** Only this campaign's dead letters. Default: all. */
  campaignId?: string;
  /** Only dead letters with this reason. Default: all. */
  reason?: DeadLetterReason;
}

const FILTER_PAGE = 500;

export async function listDeadLetters(
  queue: DeadLetterQueue,
  { limit = 1_000, offset = 0, campaignId, reason }: ListDeadLettersOptions,
): Promise<DeadLetterEntry[]> {
  if (campaignId === undefined && reason === undefined) {
    const jobs = await queue.getJobs([...DEAD_LETTER_STATES], offset, offset + limit - 1, true);
    return jobs.filter((j) => j?.id !== undefined).map((j) => toEntry(j.id as string, j.data));
  }
  // Filtered: page through each state (BullMQ applies a range per state), so offset and limit count matches.
  const out: DeadLetterEntry[] = [];
  let skip = offset;
  for (const state of DEAD_LETTER_STATES) {
    for (let start = 0; out.length < limit; start += FILTER_PAGE) {
      const jobs = await queue.getJobs([state], start, start + FILTER_PAGE - 1, true);
      for (const job of jobs) {
        if (job?.id === undefined || out.length >= limit) continue;
        const entry = toEntry(job.id, job.data);
        if ((campaignId !== undefined && entry.campaignId !== campaignId) || (reason !== undefined && entry.reason !== reason)) continue;
        if (skip > 0) skip -= 1;
        else out.push(entry);
      }
      if (jobs.length < FILTER_PAGE) break;
    }
  }
  return out;
}

/**
 * A redriven delivery gets a new job id (`.r1`, `.r2`, ...) but keeps its deliveryKey, so what the platform
 * already accepted is not sent again. The new job is added before the dead letter is removed: a crash
 * between the two leaves a duplicate entry, never a lost one.
 */
export async function redriveDeadLetters(
  deadLetters: DeadLetterQueue,
  deliveries: DeliveryQueue,
  config: Readonly<Config>,
  ids: readonly string[] | 'all',
  now: number,
): Promise<RedriveResult> {
  // Before any key is built from them.
  if (ids !== 'all') assertIds(IDS.deadLetter, ids, 'ids');
  const jobs =
    ids === 'all'
      ? await deadLetters.getJobs([...DEAD_LETTER_STATES])
      : await Promise.all(ids.map(async (id) => (await deadLetters.getJob(id)) ?? id));
  const result: RedriveResult = { redriven: 0, skipped: [] };
  for (const job of jobs) {
    if (typeof job === 'string') {
      result.skipped.push({ id: job, why: 'no dead letter with this id' });
      continue;
    }
    if (!job?.id) continue;
    // Redriven, its send time would be now, after its remove: the remove must keep winning.
    if (job.data.reason === 'superseded') {
      result.skipped.push({ id: job.id, why: 'an activity show superseded by its remove is not sent again; show the card anew' });
      continue;
    }
    const parsed = DeliveryJobSchema.safeParse(job.data.delivery);
    if (!parsed.success) {
      result.skipped.push({ id: job.id, why: 'its job data fails the schema (reason invalid); fix and send it anew' });
      continue;
    }
    const old = parsed.data;
    const redrives = (old.redrives ?? 0) + 1;
    const window = Math.max(old.deadline - old.sendAt, config.maxLatenessMs);
    const data: DeliveryJobData = { ...old, redrives, sendAt: now, deadline: now + window };
    if (data.kind === 'activity') data.activity = { ...data.activity, since: data.activity.since ?? old.sendAt };
    const jobId = `${old.deliveryKey}.r${redrives}`;
    await deliveries.add(
      old.kind === 'activity'
        ? old.activity.status === 1
          ? JOB_NAME.activityShow
          : JOB_NAME.activityRemove
        : old.campaignId
          ? JOB_NAME.campaignChunk
          : JOB_NAME.notification,
      data,
      deliveryJobOptions(config, { jobId, delay: 0, priority: old.campaignId ? PRIORITY.campaign : PRIORITY.oneOff }),
    );
    await job.remove();
    result.redriven += 1;
  }
  return result;
}

export async function purgeDeadLetters(queue: DeadLetterQueue): Promise<number> {
  const counts = await queue.getJobCounts(...DEAD_LETTER_STATES);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  await queue.obliterate({ force: true });
  return total;
}
