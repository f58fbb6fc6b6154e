import { campaignKeys } from '../shared/campaign-keys.js';
import { deliveryJob, type DeliveryJob } from '../shared/delivery-jobs.js';
import { activityJob } from '../shared/activity-jobs.js';
import { storeCard } from './activity-send.js';
import { JOB_NAME, PRIORITY } from '../shared/queue-names.js';
import { addInBatches } from '../shared/queues.js';
import type { CampaignContext, Lease } from './campaign-context.js';
import { contentFor } from './campaign-languages.js';
import type { CampaignSpec } from './campaign-options.js';
import type { PlannedChunk } from './campaign-plan.js';
import { CREATE_REPLY, createCommands } from './campaign-scripts.js';

export type EnqueueResult = { added: number; jobs: number } | 'cancelled' | 'busy';

/**
 * Record a batch's chunks and add their delivery jobs. Safe to run again for the same batch: chunk
 * records are set-if-absent and BullMQ keeps the first job of an id. Adds nothing once the campaign is
 * cancelled, or when `lease` is no longer this run's.
 */
export async function enqueueChunks(
  ctx: CampaignContext,
  spec: Pick<CampaignSpec, 'id' | 'notification' | 'translations' | 'frequencyCap' | 'activity'>,
  chunks: readonly PlannedChunk[],
  lease: Lease,
): Promise<EnqueueResult> {
  if (chunks.length === 0) return { added: 0, jobs: 0 };
  const keys = campaignKeys(ctx.config.prefix, spec.id);
  let first = Infinity;
  let last = -Infinity;
  const pairs: string[] = [];
  for (const c of chunks) {
    first = Math.min(first, c.sendAt);
    last = Math.max(last, c.sendAt);
    // `100:ar_SA`: the chunk's recipients and the language they are counted under (byLanguage); `q` in
    // front: quiet hours held them (counted once, with the chunk record, however often a batch is replanned).
    const count = c.language === undefined ? String(c.openIds.length) : `${c.openIds.length}:${c.language}`;
    pairs.push(c.jobId, c.heldByQuietHours === true ? `q${count}` : count);
  }
  const [code, added, jobs] = await createCommands(ctx.redis).npCampaignRecord(
    keys.meta,
    keys.chunks,
    lease.token,
    String(lease.ms),
    String(first),
    String(last),
    ...pairs,
  );
  if (code === CREATE_REPLY.cancelled) return 'cancelled';
  if (code !== CREATE_REPLY.ok) return 'busy';
  const now = ctx.clock.now();
  // The card, for a later removeActivity of it (a remove sends every field again).
  if (spec.activity) {
    const a = spec.activity;
    await storeCard({ config: ctx.config, redis: ctx.redis, now }, a.activityId, a.content, Math.max(a.until ?? 0, last + (a.validityTime ?? 0) * 1000));
  }
  await addInBatches(
    ctx.deliveries,
    chunks.map((c) =>
      spec.activity ? activityChunk(ctx, spec.id, spec.activity, c, now) : deliveryJob(ctx.config, {
        jobId: c.jobId,
        notificationId: spec.id,
        campaignId: spec.id,
        notification: { ...contentFor(spec.notification, spec.translations, c.language), openIds: c.openIds },
        name: JOB_NAME.campaignChunk,
        priority: PRIORITY.campaign,
        sendAt: c.sendAt,
        deadline: c.deadline,
        now,
        frequencyCap: spec.frequencyCap,
      }),
    ),
    // A batch is a few hundred jobs: several smaller addBulk calls in flight keep both cores busy.
    25,
    4,
  );
  return { added: Number(added), jobs: Number(jobs) };
}

/** An activity campaign's chunk: its card, shown to the chunk's recipients; it ends by `until` at the latest. */
function activityChunk(ctx: CampaignContext, campaignId: string, activity: NonNullable<CampaignSpec['activity']>, c: PlannedChunk, now: number): DeliveryJob {
  return activityJob(ctx.config, {
    jobId: c.jobId,
    runId: c.jobId,
    campaignId,
    activityId: activity.activityId,
    content: activity.content,
    status: 1,
    openIds: c.openIds,
    priority: PRIORITY.campaign,
    sendAt: c.sendAt,
    deadline: Math.min(c.deadline, activity.until ?? Number.POSITIVE_INFINITY),
    validityTime: activity.validityTime,
    until: activity.until,
    now,
  });
}
