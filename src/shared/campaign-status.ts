import type { RedisConnection } from './redis.js';
import { campaignIndexKey, campaignKeys } from './campaign-keys.js';
import type { DeadLetterReason } from './job-data.js';
import { assertId, IDS } from './ids.js';
import { LANGUAGES, type Language } from '../neuxnet/notification.js';

export const CAMPAIGN_STATES = ['scheduled', 'sending', 'completed', 'completed_with_failures', 'cancelled'] as const;
/**
 * `scheduled`: nothing sent or failed yet; `sending`: under way; `completed`: every recipient sent;
 * `completed_with_failures`: every recipient accounted for, some dead-lettered; `cancelled`.
 */
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export interface CampaignCounts {
  /** Distinct recipients queued. */
  recipients: number;
  sent: number;
  /** Dead-lettered (until a redrive delivers them). */
  failed: number;
  cancelled: number;
  /**
   * Left out of their request by the frequency cap (they had their `max` in the window): settled, never
   * retried or dead-lettered. Per language only when there are any.
   */
  capped?: number;
  /** recipients - sent - failed - cancelled - capped. */
  pending: number;
}

/** The options a campaign's status shows, as its create stored them (written once, read by getCampaign). */
export type CampaignOptionsSummary = Pick<
  CampaignStatus,
  'title' | 'sendAt' | 'timezone' | 'localTime' | 'defaultTimezone' | 'expiresIn' | 'quietHours' | 'throttle' | 'frequencyCap'
>;

export interface CampaignStatus extends CampaignCounts {
  /** Left out by the frequency cap; 0 for a campaign without a cap. */
  capped: number;
  id: string;
  state: CampaignState;
  /** Delivery jobs queued. */
  jobs: number;
  /** False while recipients are still being queued, or after a create that stopped half-way (create again to resume). */
  enqueued: boolean;
  /** Input records consumed, duplicates included. */
  read: number;
  title: string;
  sendAt?: string;
  timezone?: string;
  localTime?: string;
  defaultTimezone?: string;
  expiresIn?: string;
  /** `22:00-08:00`, when the campaign has quiet hours. */
  quietHours?: string;
  /** Recipients per minute, when the campaign is paced. */
  throttle?: number;
  /** With quiet hours: recipients whose send time they moved (counted as their chunks are queued). */
  heldByQuietHours?: number;
  /** When paced: the latest due time queued so far (the expected finish once fully queued). */
  expectedFinishAt?: string;
  /** The per-user frequency cap its deliveries count under, `2/24h`; absent: none. */
  frequencyCap?: string;
  createdAt: string;
  enqueuedAt?: string;
  /** First delivery or dead letter. */
  startedAt?: string;
  /** When every recipient was accounted for. */
  completedAt?: string;
  cancelledAt?: string;
  /** Earliest and latest send time of its deliveries (they differ with localTime). */
  firstSendAt?: string;
  lastSendAt?: string;
  /** From `getCampaign` only (not `listCampaigns`): recipients waiting for a retry. */
  retrying?: number;
  /** From `getCampaign` only: dead-lettered recipients by reason. */
  failedByReason?: Partial<Record<DeadLetterReason, number>>;
  /**
   * The counts per language whose content the recipients get (kept exactly, like the totals); absent for
   * campaigns created before languages were counted.
   */
  byLanguage?: Partial<Record<Language, CampaignCounts>>;
}

/** The per-language counters of a campaign's record (`total:ar_SA`, `sent:ar_SA`, ...). */
export function countsByLanguage(h: Record<string, string>): Partial<Record<Language, CampaignCounts>> | undefined {
  let out: Partial<Record<Language, CampaignCounts>> | undefined;
  for (const language of LANGUAGES) {
    if (h[`total:${language}`] === undefined) continue;
    const n = (field: string) => Number(h[`${field}:${language}`] ?? 0);
    const c = { recipients: n('total'), sent: n('sent'), failed: n('failed'), cancelled: n('cancelled') };
    const capped = n('capped');
    (out ??= {})[language] = { ...c, ...(capped > 0 && { capped }), pending: Math.max(0, c.recipients - c.sent - c.failed - c.cancelled - capped) };
  }
  return out;
}

/** The state from the counts; pure, so the table of cases is tested directly. */
export function campaignState(c: {
  enqueued: boolean;
  cancelRequested: boolean;
  recipients: number;
  sent: number;
  failed: number;
  cancelled: number;
  capped?: number;
}): CampaignState {
  if (c.cancelRequested) return 'cancelled';
  const capped = c.capped ?? 0;
  const done = c.sent + c.failed + c.cancelled + capped;
  if (c.enqueued && done >= c.recipients) return c.failed > 0 ? 'completed_with_failures' : 'completed';
  return c.sent + c.failed + capped === 0 ? 'scheduled' : 'sending';
}

const iso = (ms: string | undefined) => (ms === undefined ? undefined : new Date(Number(ms)).toISOString());

/** A campaign's record as stored (the meta hash) to its status; undefined for an empty hash. */
export function toCampaignStatus(h: Record<string, string>): CampaignStatus | undefined {
  if (h.id === undefined) return undefined;
  const n = (field: string) => Number(h[field] ?? 0);
  const counts = { recipients: n('total'), sent: n('sent'), failed: n('failed'), cancelled: n('cancelled'), capped: n('capped') };
  const enqueued = h.enqueued === '1';
  const byLanguage = countsByLanguage(h);
  let spec: Record<string, unknown> = {};
  try {
    spec = JSON.parse(h.spec ?? '{}') as Record<string, unknown>;
  } catch {
    // A damaged spec only costs the display fields.
  }
  const text = (key: string) => (typeof spec[key] === 'string' ? { [key]: spec[key] as string } : {});
  const times: Record<string, string | undefined> = {
    enqueuedAt: iso(h.enqueuedAt),
    startedAt: iso(h.startedAt),
    completedAt: iso(h.completedAt),
    cancelledAt: iso(h.cancelledAt),
    firstSendAt: iso(h.firstSendAt),
    lastSendAt: iso(h.lastSendAt),
  };
  return {
    id: h.id,
    state: campaignState({ ...counts, enqueued, cancelRequested: h.cancelledAt !== undefined }),
    ...counts,
    pending: Math.max(0, counts.recipients - counts.sent - counts.failed - counts.cancelled - counts.capped),
    jobs: n('jobs'),
    enqueued,
    read: n('cursor'),
    title: typeof spec.title === 'string' ? spec.title : '',
    ...text('sendAt'),
    ...text('timezone'),
    ...text('localTime'),
    ...text('defaultTimezone'),
    ...text('expiresIn'),
    ...text('quietHours'),
    ...(typeof spec.throttle === 'number' && { throttle: spec.throttle }),
    ...(typeof spec.quietHours === 'string' && { heldByQuietHours: n('heldByQuietHours') }),
    ...(typeof spec.throttle === 'number' && times.lastSendAt !== undefined && { expectedFinishAt: times.lastSendAt }),
    ...text('frequencyCap'),
    createdAt: iso(h.createdAt) ?? new Date(0).toISOString(),
    ...(Object.fromEntries(Object.entries(times).filter(([, v]) => v !== undefined)) as Record<string, string>),
    ...(byLanguage !== undefined && { byLanguage }),
  };
}

/** Throws ValidationError for an id that is not a campaign id, before any key is built from it. */
export async function getCampaign(redis: RedisConnection, prefix: string, id: string): Promise<CampaignStatus | undefined> {
  assertId(IDS.campaign, id);
  return toCampaignStatus(await redis.hgetall(campaignKeys(prefix, id).meta));
}

/** Newest first. A campaign whose record has expired (NEUPUSH_DEDUP_TTL after it ended) drops out of the index. */
export async function listCampaigns(
  redis: RedisConnection,
  prefix: string,
  { limit = 100, offset = 0 }: { limit?: number; offset?: number } = {},
): Promise<CampaignStatus[]> {
  const index = campaignIndexKey(prefix);
  const ids = await redis.zrevrange(index, offset, offset + limit - 1);
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(campaignKeys(prefix, id).meta);
  const results = (await pipeline.exec()) ?? [];
  const out: CampaignStatus[] = [];
  const gone: string[] = [];
  results.forEach(([error, hash], i) => {
    const status = error ? undefined : toCampaignStatus(hash as Record<string, string>);
    if (status) out.push(status);
    else if (!error) gone.push(ids[i] as string);
  });
  if (gone.length > 0) await redis.zrem(index, ...gone);
  return out;
}
