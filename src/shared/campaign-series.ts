import type { RedisConnection } from './redis.js';
import { campaignKeys } from './campaign-keys.js';
import { assertId, IDS } from './ids.js';

/**
 * Upper bounds (ms) of the campaign lateness histogram; the last bucket is everything above. Coarse on
 * purpose: one HINCRBY per delivered chunk, and percentiles good to a bucket are what an operator reads.
 */
export const LATENESS_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000] as const;

/** Index of the histogram bucket for a lateness (negative counts as on time). */
export function latenessBucket(ms: number): number {
  const i = LATENESS_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENESS_BOUNDS_MS.length : i;
}

/** One minute of a campaign: requests and recipients delivered (sent) and dead-lettered (failed). */
export interface SeriesPoint {
  /** Start of the minute, epoch ms. */
  minute: number;
  sentRequests: number;
  sentRecipients: number;
  failedRequests: number;
  failedRecipients: number;
}

export interface CampaignSeries {
  /** Minutes with any delivery or dead letter, oldest first. */
  points: SeriesPoint[];
  /** Delivered requests per lateness bucket (bounds in LATENESS_BOUNDS_MS). */
  lateness: number[];
  /** Upper bound (ms) of the bucket holding each percentile; `null` above the last bound; absent with no data. */
  latenessPercentiles?: { p50: number | null; p90: number | null; p99: number | null };
}

const FIELD = /^(\d+):([sf])([rn])$/;

/** The stored hash (fields `<minute>:<s|f><r|n>` and `L<bucket>`) to points and percentiles; pure. */
export function toCampaignSeries(hash: Record<string, string>): CampaignSeries {
  const byMinute = new Map<number, SeriesPoint>();
  const lateness = new Array<number>(LATENESS_BOUNDS_MS.length + 1).fill(0);
  for (const [field, value] of Object.entries(hash)) {
    const count = Number(value);
    if (field.startsWith('L')) {
      const i = Number(field.slice(1));
      if (Number.isInteger(i) && i >= 0 && i < lateness.length) lateness[i] = count;
      continue;
    }
    const m = FIELD.exec(field);
    if (!m) continue;
    const minute = Number(m[1]) * 60_000;
    const point = byMinute.get(minute) ?? { minute, sentRequests: 0, sentRecipients: 0, failedRequests: 0, failedRecipients: 0 };
    const key = `${m[2] === 's' ? 'sent' : 'failed'}${m[3] === 'r' ? 'Requests' : 'Recipients'}` as const;
    point[key] = count;
    byMinute.set(minute, point);
  }
  const points = [...byMinute.values()].sort((a, b) => a.minute - b.minute);
  const percentiles = latenessPercentiles(lateness);
  return { points, lateness, ...(percentiles && { latenessPercentiles: percentiles }) };
}

function latenessPercentiles(lateness: readonly number[]): CampaignSeries['latenessPercentiles'] {
  const total = lateness.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const at = (q: number) => {
    let seen = 0;
    for (let i = 0; i < lateness.length; i += 1) {
      seen += lateness[i] ?? 0;
      if (seen >= q * total) return LATENESS_BOUNDS_MS[i] ?? null;
    }
    return null;
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/** Throws ValidationError for an id that is not a campaign id, before any key is built from it. */
export async function getCampaignSeries(redis: RedisConnection, prefix: string, id: string): Promise<CampaignSeries> {
  assertId(IDS.campaign, id);
  return toCampaignSeries(await redis.hgetall(campaignKeys(prefix, id).series));
}
