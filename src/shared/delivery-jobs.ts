import type { JobsOptions } from 'bullmq';
import { chunkNotification } from './chunk.js';
import type { Config } from './config.js';
import type { DeliveryJobData } from './job-data.js';
import type { Notification } from '../neuxnet/notification.js';
import type { FrequencyCap } from './frequency-cap.js';
import { deliveryJobOptions } from './queues.js';
import { activeTraceparent } from './spans.js';

export interface DeliveryJob {
  name: string;
  data: DeliveryJobData;
  opts: JobsOptions;
}

/** What one delivery job is made of; `jobId` is also its deliveryKey (the duplicate-suppression key). */
export interface DeliveryJobSpec {
  jobId: string;
  notificationId: string;
  /** The chunk this job sends: at most NEUPUSH_CHUNK_SIZE openIds. */
  notification: Notification;
  name: string;
  priority: number;
  sendAt: number;
  deadline: number;
  /** The instant the delay is counted from. */
  now: number;
  campaignId?: string;
  /** Which chunk of how many, when the notification became more than one job. */
  chunk?: { index: number; count: number } | undefined;
  /** The per-user cap the delivery counts under; none: not capped. */
  frequencyCap?: FrequencyCap | undefined;
}

/** The one builder of delivery job data and options: `send`, schedule firings and campaign chunks all use it. */
export function deliveryJob(config: Readonly<Config>, spec: DeliveryJobSpec): DeliveryJob {
  const data: DeliveryJobData = {
    v: 1,
    notificationId: spec.notificationId,
    deliveryKey: spec.jobId,
    notification: spec.notification,
    sendAt: spec.sendAt,
    deadline: spec.deadline,
  };
  // Assigned rather than spread: this runs once per job of a million-recipient campaign.
  if (spec.campaignId !== undefined) data.campaignId = spec.campaignId;
  if (spec.chunk !== undefined) data.chunk = spec.chunk;
  if (spec.frequencyCap !== undefined) data.frequencyCap = { max: spec.frequencyCap.max, perMs: spec.frequencyCap.perMs };
  const traceparent = activeTraceparent();
  if (traceparent !== undefined) data.traceparent = traceparent;
  const opts = deliveryJobOptions(config, { jobId: spec.jobId, delay: spec.sendAt - spec.now, priority: spec.priority, timestamp: spec.now });
  return { name: spec.name, data, opts };
}

/**
 * The delivery jobs of one notification: one per chunk of at most NEUPUSH_CHUNK_SIZE openIds, with ids
 * `${id}.${chunk}` so that queueing the same notification twice (a retried call, a firing run again)
 * names the same jobs and BullMQ keeps one of each. Used by `send` and by schedule firings.
 */
export function chunkedDeliveryJobs(
  config: Readonly<Config>,
  n: Omit<DeliveryJobSpec, 'jobId' | 'notificationId' | 'campaignId' | 'chunk'> & { id: string },
): DeliveryJob[] {
  const chunks = chunkNotification(n.notification, config.chunkSize);
  const { name, priority, sendAt, deadline, now, frequencyCap } = n;
  const count = chunks.length;
  return chunks.map((chunk, index) =>
    deliveryJob(config, {
      jobId: `${n.id}.${index}`,
      notificationId: n.id,
      notification: chunk,
      name,
      priority,
      sendAt,
      deadline,
      now,
      chunk: count > 1 ? { index, count } : undefined,
      frequencyCap,
    }),
  );
}
