import type { Language } from '../neuxnet/notification.js';
import { openIdOf, type RecipientEntry } from '../shared/recipient.js';
import { nextLocalTime } from '../shared/time.js';
import type { LanguageOf } from './campaign-languages.js';
import type { CampaignSpec, CampaignTiming } from './campaign-options.js';
import { quietHoursEnd } from './quiet-hours.js';

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

/**
 * The zone whose wall clock a recipient's delivery follows (local time, quiet hours); undefined when it
 * has none, or when the campaign's timing does not depend on zones.
 */
export function zoneOf(r: RecipientEntry, timing: CampaignTiming): string | undefined {
  if (!followsZones(timing)) return undefined;
  return (typeof r === 'string' ? undefined : r.timezone) ?? timing.defaultTimezone;
}

/** Whether a recipient's send time depends on their zone (local time, quiet hours). */
export function followsZones(timing: CampaignTiming): boolean {
  return timing.kind === 'local' || timing.quietHours !== undefined;
}

/** A group's send time and deadline; `held` when quiet hours moved them (only set with quiet hours). */
export interface GroupTiming {
  sendAt: number;
  deadline: number;
  held?: boolean;
}

/** Send time and deadline of one group; `now` is the moment the campaign (or its resume) started. */
export function groupTiming(timing: CampaignTiming, zone: string | undefined): GroupTiming {
  let t: GroupTiming;
  if (timing.kind === 'at') t = { sendAt: timing.sendAt, deadline: timing.deadline };
  else {
    if (zone === undefined) throw new RangeError('a local-time recipient needs a zone');
    const sendAt = nextLocalTime(timing.localTime, zone, timing.now);
    t = { sendAt, deadline: sendAt + timing.windowMs };
  }
  if (timing.quietHours === undefined) return t;
  if (zone === undefined) throw new RangeError('a recipient under quiet hours needs a zone');
  const moved = quietHoursEnd(t.sendAt, zone, timing.quietHours);
  // The deadline keeps its distance from the send time: a held recipient has as long to go out as any.
  return moved === undefined ? { ...t, held: false } : { sendAt: moved, deadline: moved + (t.deadline - t.sendAt), held: true };
}

/**
 * The spec as planned from `origin`, the first run's "now" (kept with the campaign). A paced campaign
 * plans from it, so a resume gives every chunk the due time the first run gave or would have given it,
 * and the ones queued later keep their places in the pace. An unpaced one keeps the resume's own "now"
 * (its immediate send time, its next local time), as before pacing existed.
 */
export function fromOrigin(spec: CampaignSpec, origin: number): CampaignSpec {
  const t = spec.timing;
  if (t.perMinute === undefined || origin === spec.origin) return spec;
  if (t.kind === 'local') return { ...spec, origin, timing: { ...t, now: origin } };
  if (spec.summary.sendAt !== undefined) return { ...spec, origin };
  return { ...spec, origin, timing: { ...t, sendAt: origin, deadline: origin + (t.deadline - t.sendAt) } };
}

/**
 * Where pacing stands: recipients already planned per send time (the group's send time in ms), in campaign
 * order. planBatch moves it on; a resume rebuilds it by planning the batches already queued again.
 */
export type PacingPositions = Map<number, number>;

/** A paced chunk's delay from its group's send time: `position` recipients of the group come before it. */
export function paceOffsetMs(position: number, perMinute: number): number {
  return Math.floor((position * 60_000) / perMinute);
}

/**
 * Split one input batch's new recipients (already de-duplicated) into delivery jobs. Groups follow the
 * order in which their zone first appears and chunk numbers run on across groups, so job k of a batch is
 * the same recipients whenever the batch is planned again (a resume after a crash before the checkpoint);
 * the send time is not part of the id, because a resume may compute it from a later "now". A group is the
 * recipients of one zone and one language (`languageOf`); without `languageOf`, of one zone.
 *
 * Each chunk's due time comes from `groupTiming` (quiet hours included) plus, in a paced campaign, the
 * offset of its position among the recipients of its send time, and nowhere else: a real create and a
 * dry run plan alike. Positions follow the same order as the chunk ids, so they are as deterministic.
 */
export function planBatch(args: {
  campaignId: string;
  batchNo: number;
  recipients: readonly RecipientEntry[];
  /** Every recipient is a bare openId string (RecordBatch.bare): used as they are, without a copy. */
  bare?: boolean;
  timing: CampaignTiming;
  chunkSize: number;
  /** Per-zone send times of this run, shared across batches. */
  timingCache?: Map<string, GroupTiming>;
  /** With a paced timing: recipients planned so far per send time, shared across batches (moved on here). */
  positions?: PacingPositions;
  /** The language whose content a recipient gets. */
  languageOf?: LanguageOf;
}): PlannedChunk[] {
  const { campaignId, batchNo, timing, languageOf } = args;
  const cache = args.timingCache ?? new Map<string, GroupTiming>();
  const positions = args.positions ?? new Map<number, number>();
  const perMinute = timing.perMinute;
  // One request never exceeds a minute's budget.
  const chunkSize = perMinute === undefined ? args.chunkSize : Math.min(args.chunkSize, perMinute);
  const chunks: PlannedChunk[] = [];
  let k = 0;
  for (const { zone, language, ids } of groupsOf(args.recipients, args.bare === true, timing, languageOf)) {
    let t = cache.get(zone);
    if (!t) cache.set(zone, (t = groupTiming(timing, zone === '' ? undefined : zone)));
    for (let i = 0; i < ids.length; i += chunkSize) {
      const openIds = ids.slice(i, i + chunkSize);
      let delay = 0;
      if (perMinute !== undefined) {
        const position = positions.get(t.sendAt) ?? 0;
        positions.set(t.sendAt, position + openIds.length);
        delay = paceOffsetMs(position, perMinute);
      }
      chunks.push({
        jobId: `c-${campaignId}.${batchNo}.${k++}`,
        openIds,
        sendAt: t.sendAt + delay,
        deadline: t.deadline + delay,
        ...(language !== undefined && { language }),
        ...(t.held !== undefined && { heldByQuietHours: t.held }),
      });
    }
  }
  return chunks;
}

interface Group {
  zone: string;
  language: Language | undefined;
  ids: string[];
}

/**
 * A batch's recipients by zone and language, in order of first appearance. When neither varies (the
 * common campaign: one send time, one language) the batch is one group, built without a lookup per
 * recipient and, for bare openIds, without a copy.
 */
function groupsOf(recipients: readonly RecipientEntry[], bare: boolean, timing: CampaignTiming, languageOf: LanguageOf | undefined): Iterable<Group> {
  if (!followsZones(timing) && typeof languageOf !== 'function') {
    return [{ zone: '', language: languageOf, ids: bare ? (recipients as string[]) : recipients.map(openIdOf) }];
  }
  const groups = new Map<string, Group>();
  for (const r of recipients) {
    const zone = zoneOf(r, timing) ?? '';
    const language = typeof languageOf === 'function' ? languageOf(r) : languageOf;
    // A zone holds no space, so "zone language" names one group unambiguously.
    const key = language === undefined ? zone : `${zone} ${language}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { zone, language, ids: [] }));
    group.ids.push(openIdOf(r));
  }
  return groups.values();
}
