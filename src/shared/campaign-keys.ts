import { keyOf } from './queue-names.js';

/**
 * A campaign's Redis keys, beside BullMQ's under the same prefix (a hash-tagged prefix keeps them in one
 * cluster slot, which the campaign scripts need: they touch several of these keys at once).
 */
export interface CampaignKeys {
  /** Hash: spec, creation checkpoint (cursor, batches), counters, timestamps, the cancel flag. */
  meta: string;
  /** Hash: delivery job id (= deliveryKey) -> state letter + recipient count, e.g. `p100`, `s100`. */
  chunks: string;
  /** Set of openIds already enqueued; only while the campaign is being created. */
  seen: string;
  /** Sorted set of sendNotify calls in flight (score: when the call has surely ended), for cancel. */
  inflight: string;
  /** Hash: per-minute sent/failed requests and recipients, and a lateness histogram (campaign-series.ts). */
  series: string;
}

export function campaignKeys(prefix: string, id: string): CampaignKeys {
  return {
    meta: keyOf(prefix, 'campaign', id),
    chunks: keyOf(prefix, 'campaign', id, 'chunks'),
    seen: keyOf(prefix, 'campaign', id, 'seen'),
    inflight: keyOf(prefix, 'campaign', id, 'inflight'),
    series: keyOf(prefix, 'campaign', id, 'series'),
  };
}

/** Sorted set of campaign ids by creation time, for `listCampaigns`. */
export function campaignIndexKey(prefix: string): string {
  return keyOf(prefix, 'campaigns');
}

/** The id patterns live with every other id's, in ids.ts. */
export { ID_PATTERN, ID_RULE } from './ids.js';
