import type { Language } from '../neuxnet/notification.js';
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
  /** The language whose content its recipients get (chunks never mix languages); counted under it. */
  language?: Language;
  /** Its send time was moved out of quiet hours (a dry run counts its recipients). */
  heldByQuietHours?: boolean;
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
 * the send time is not part of the id, because a resume may compute it from a later "now". A group is the
 * recipients of one zone and one language (`languageOf`); without `languageOf`, of one zone.
 *
 * Each chunk's due time comes from `groupTiming` and nowhere else: a real create and a dry run plan alike.
 */
export function planBatch(args: {
  campaignId: string;
  batchNo: number;
  recipients: readonly Recipient[];
  timing: CampaignTiming;
  chunkSize: number;
  /** Per-zone send times of this run, shared across batches. */
  timingCache?: Map<string, { sendAt: number; deadline: number }>;
  /** The language whose content a recipient gets. */
  languageOf?: (r: Recipient) => Language;
}): PlannedChunk[] {
  const { campaignId, batchNo, recipients, timing, chunkSize, languageOf } = args;
  const cache = args.timingCache ?? new Map<string, { sendAt: number; deadline: number }>();
  const groups = new Map<string, { zone: string; language: Language | undefined; ids: string[] }>();
  for (const r of recipients) {
    const zone = zoneOf(r, timing) ?? '';
    const language = languageOf?.(r);
    // A zone holds no space, so "zone language" names one group unambiguously.
    const key = language === undefined ? zone : `${zone} ${language}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { zone, language, ids: [] }));
    group.ids.push(r.openId);
  }
  const chunks: PlannedChunk[] = [];
  let k = 0;
  for (const { zone, language, ids } of groups.values()) {
    let t = cache.get(zone);
    if (!t) cache.set(zone, (t = groupTiming(timing, zone === '' ? undefined : zone)));
    for (let i = 0; i < ids.length; i += chunkSize) {
      chunks.push({
        jobId: `c-${campaignId}.${batchNo}.${k++}`,
        openIds: ids.slice(i, i + chunkSize),
        sendAt: t.sendAt,
        deadline: t.deadline,
        ...(language !== undefined && { language }),
      });
    }
  }
  return chunks;
}
