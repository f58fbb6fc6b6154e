import type { Job } from 'bullmq';
import type { Clock } from '../neuxnet/clock.js';
import type { DeliveryJobData, NotificationJobData } from '../shared/job-data.js';
import type { RedisConnection } from '../shared/redis.js';
import { applyFrequencyCap } from './frequency-cap.js';
import type { ProcessorHooks } from './processor-hooks.js';

/** A chunk every openId of which is at its frequency cap: nothing is sent, and it settles as capped. */
export interface CappedChunk {
  kind: 'capped';
  sent: DeliveryJobData;
  capped: number;
}

/** What the cap lets through: `sent` is the job data as it goes out, `capped` how many openIds it left out. */
export interface SendChunk {
  kind: 'send';
  sent: DeliveryJobData;
  capped: number;
}

export interface ChunkCapDeps {
  redis: RedisConnection;
  prefix: string;
  clock: Clock;
  hooks: ProcessorHooks;
}

/**
 * The processor's two uses of the frequency cap, made once per processor (not per job) over its
 * connection, clock and hooks.
 */
export function chunkCap({ redis, prefix, clock, hooks }: ChunkCapDeps) {
  /**
   * The frequency cap, one script for the chunk (frequency-cap.ts). Gives the data to send (only the
   * openIds let through), or `kind: 'capped'` when every one is capped; then, as when the script fails, the
   * hooks' afterSend runs here, since no call follows. An uncapped chunk (most deliveries) is answered at
   * once, without a promise. Activity cards are not capped.
   */
  function capOrRelease(job: Job, data: DeliveryJobData): SendChunk | Promise<SendChunk | CappedChunk> {
    const capped = cappable(data);
    return capped === undefined ? { kind: 'send', sent: data, capped: 0 } : applyCap(job, capped.data, capped.cap, capped.openIds);
  }

  async function applyCap(job: Job, data: NotificationJobData, cap: Cap, openIds: string[]): Promise<SendChunk | CappedChunk> {
    let decided: Awaited<ReturnType<typeof applyFrequencyCap>>;
    try {
      decided = await applyFrequencyCap(redis, prefix, { openIds, deliveryKey: data.deliveryKey, cap, now: clock.now() });
    } catch (error) {
      await hooks.afterSend?.(data, job);
      throw error;
    }
    if (decided.letThrough.length === 0) {
      await hooks.afterSend?.(data, job);
      return { kind: 'capped', sent: withOpenIds(data, []), capped: decided.capped };
    }
    return { kind: 'send', sent: decided.capped === 0 ? data : withOpenIds(data, decided.letThrough), capped: decided.capped };
  }

  /** A run that finds the delivery already sent: what its cap left out, looked up without recording anything. */
  async function recountCapped(data: DeliveryJobData): Promise<{ sent: DeliveryJobData; capped: number } | undefined> {
    const capped = cappable(data);
    if (capped === undefined) return undefined;
    const decided = await applyFrequencyCap(redis, prefix, { openIds: capped.openIds, deliveryKey: data.deliveryKey, cap: capped.cap, now: clock.now(), record: false });
    return decided.capped === 0 ? undefined : { sent: withOpenIds(capped.data, decided.letThrough), capped: decided.capped };
  }

  return { capOrRelease, recountCapped };
}

type Cap = NonNullable<NotificationJobData['frequencyCap']>;

/**
 * A job the frequency cap applies to, with its cap and openIds; undefined for the others. A cap counts
 * openIds: a request by phone number or to every user (rulesType 1, 2) is not capped, nor an activity card.
 */
function cappable(data: DeliveryJobData): { data: NotificationJobData; cap: Cap; openIds: string[] } | undefined {
  if (data.kind === 'activity' || data.frequencyCap === undefined) return undefined;
  const openIds = data.notification.openIds;
  return openIds === undefined || openIds.length === 0 ? undefined : { data, cap: data.frequencyCap, openIds };
}

/** The job data with only these openIds, for the request and for the hooks that report what was sent. */
function withOpenIds(data: NotificationJobData, openIds: string[]): NotificationJobData {
  return { ...data, notification: { ...data.notification, openIds } };
}
