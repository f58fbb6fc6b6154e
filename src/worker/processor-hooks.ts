import type { Job } from 'bullmq';
import type { SendNotifyResult as SendResult } from '../neuxnet/client.js';
import type { DeadLetterReason, DeliveryJobData } from '../shared/job-data.js';

export type DeliveryOutcome =
  | { status: 'delivered'; recipients: number }
  | { status: 'dead-lettered'; reason: DeadLetterReason }
  | { status: 'duplicate-suppressed' }
  | { status: 'dropped'; why: string }
  /** Every openId of the chunk was at its frequency cap: no call was made, and the chunk is settled. */
  | { status: 'capped'; capped: number };

export interface DeadLetteredDetails {
  attempts: number;
  lastError: string;
  /** Recipients the frequency cap left out of the request (counted capped, not failed). */
  capped?: number;
}

/** How a delivery settled, besides its data: recipients the frequency cap left out (counted once, here). */
export interface SettledDetails {
  capped: number;
}

/** Observers of what the processor did; metrics and campaign counters hang here. Must not throw. */
export interface ProcessorHooks {
  /**
   * Last word before the call (campaign cancellation): return a reason to drop the job without sending.
   * When it returns undefined, `afterSend` is guaranteed to run once the call has finished.
   */
  beforeSend?(data: DeliveryJobData, job: Job): Promise<string | undefined> | string | undefined;
  afterSend?(data: DeliveryJobData, job: Job): Promise<void> | void;
  /** After each sendNotify call; `lateness` is ms from the intended send time to this attempt's start. */
  onCall?(data: DeliveryJobData, result: SendResult, lateness: number, job: Job): void;
  /**
   * Settled as delivered. When a frequency cap left openIds out, `data` names only those sent to and
   * `settled.capped` counts the others (this also is how a chunk that was capped whole settles, with no call).
   */
  onDelivered?(data: DeliveryJobData, job: Job, settled?: SettledDetails): Promise<void> | void;
  /** `details`: what the dead letter records (its attempts and last error), for observers that report it. */
  onDeadLettered?(data: DeliveryJobData | undefined, reason: DeadLetterReason, job: Job, details?: DeadLetteredDetails): Promise<void> | void;
  onRetry?(data: DeliveryJobData, delayMs: number, result: SendResult): void;
}
