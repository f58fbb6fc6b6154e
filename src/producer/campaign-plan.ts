import type { Recipient } from '../shared/recipient.js';
import { nextLocalTime } from '../shared/time.js';
import type { CampaignTiming } from './campaign-options.js';

/** One delivery job of a campaign: at most chunk-size openIds that share a send time. */
export interface PlannedChunk {
  /** `c-<campaign>.<batch>.<k>`: the same input batch always yields the same ids (BullMQ ids allow no colon). */
  jobId: string;
  openIds: string[];
  sendAt: number;
  deadline: number;
}

/** The zone whose wall clock a recipient's local-time delivery follows; undefined when it has none. */
export function zoneOf(r: Recipient, timing: CampaignTiming): string | undefined {
  return timing.kind === 'local' ? (r.timezone ?? timing.defaultTimezone) : undefined;
}

/** Send time and deadline of one group; `now` is the moment the campaign (or its resume) started. */
export function groupTiming(timing: CampaignTiming, zone: string | undefined): { sendAt: number; deadline: number } {
  if (timing.kind === 'at') return { sendAt: timing.sendAt, deadline: timing.deadline };
  if (zone === undefined) throw new RangeError('a local-time recipient needs a zone');
  const sendAt = nextLocalTime(timing.localTime, zone, timing.now);
  return { sendAt, deadline: sendAt + timing.windowMs };
}

/**
 * Split one input batch's new recipients (already de-duplicated) into delivery jobs. Groups follow the
 * order in which their zone first appears and chunk numbers run on across groups, so job k of a batch is
 * the same recipients whenever the batch is planned again (a resume after a crash before the checkpoint);
 * the send time is not part of the id, because a resume may compute it from a later "now".
 */
export function planBatch(args: {
  campaignId: string;
  batchNo: number;
  recipients: readonly Recipient[];
  timing: CampaignTiming;
  chunkSize: number;
  /** Per-zone send times of this run, shared across batches. */
  timingCache?: Map<string, { sendAt: number; deadline: number }>;
}): PlannedChunk[] {
  const { campaignId, batchNo, recipients, timing, chunkSize } = args;
  const cache = args.timingCache ?? new Map<string, { sendAt: number; deadline: number }>();
  const groups = new Map<string, string[]>();
  for (const r of recipients) {
    const key = zoneOf(r, timing) ?? '';
    let ids = groups.get(key);
    if (!ids) groups.set(key, (ids = []));
    ids.push(r.openId);
  }
  const chunks: PlannedChunk[] = [];
  let k = 0;
  for (const [zone, ids] of groups) {
    let t = cache.get(zone);
    if (!t) cache.set(zone, (t = groupTiming(timing, zone === '' ? undefined : zone)));
    for (let i = 0; i < ids.length; i += chunkSize) {
      chunks.push({ jobId: `c-${campaignId}.${batchNo}.${k++}`, openIds: ids.slice(i, i + chunkSize), sendAt: t.sendAt, deadline: t.deadline });
    }
  }
  return chunks;
}
