import { systemClock, type Clock } from '../neuxnet/clock.js';
import type { Config } from '../shared/config.js';
import type { DeliveryQueue } from '../shared/queues.js';
import type { RedisConnection } from '../shared/redis.js';

/** What campaign creation runs on. */
export interface CampaignContext {
  config: Readonly<Config>;
  redis: RedisConnection;
  deliveries: DeliveryQueue;
  /** Where "now" comes from: send times, deadlines and local times are computed from it. Default: the system clock. */
  clock: Clock;
  /**
   * How long a creating run holds the id without a sign of life (a checkpoint, or its renewal timer at a
   * third of it); a run that crashed blocks a resume this long at most. Default 30 s.
   */
  leaseMs: number;
}

/** A run's hold on a campaign id while it creates it. */
export interface Lease {
  token: string;
  ms: number;
}

export const DEFAULT_LEASE_MS = 30_000;

/** The context with its defaults filled in. */
export function campaignContext(
  base: Pick<CampaignContext, 'config' | 'redis' | 'deliveries'> & Partial<Pick<CampaignContext, 'clock' | 'leaseMs'>>,
): CampaignContext {
  return { clock: systemClock, leaseMs: DEFAULT_LEASE_MS, ...base };
}
