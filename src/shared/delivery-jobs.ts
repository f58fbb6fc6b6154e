import type { JobsOptions } from 'bullmq';
import { chunkNotification } from './chunk.js';
import type { Config } from './config.js';
import type { DeliveryJobData } from './job-data.js';
import type { Notification } from '../neuxnet/notification.js';
import { deliveryJobOptions } from './queues.js';

export interface DeliveryJob {
  name: string;
  data: DeliveryJobData;
  opts: JobsOptions;
}

/**
 * The delivery jobs of one notification: one per chunk of at most NEUPUSH_CHUNK_SIZE openIds, with ids
 * `${id}.${chunk}` so that queueing the same notification twice (a retried call, a firing run again)
 * names the same jobs and BullMQ keeps one of each. Used by `send` and by schedule firings.
 */
export function chunkedDeliveryJobs(
  config: Readonly<Config>,
  n: {
    id: string;
    notification: Notification;
    name: string;
    priority: number;
    sendAt: number;
    deadline: number;
    /** The instant the delay is counted from. */
    now: number;
  },
): DeliveryJob[] {
  const chunks = chunkNotification(n.notification, config.chunkSize);
  return chunks.map((chunk, index) => {
    const jobId = `${n.id}.${index}`;
    const data: DeliveryJobData = {
      v: 1,
      notificationId: n.id,
      deliveryKey: jobId,
      notification: chunk,
      sendAt: n.sendAt,
      deadline: n.deadline,
      ...(chunks.length > 1 && { chunk: { index, count: chunks.length } }),
    };
    const opts = deliveryJobOptions(config, { jobId, delay: n.sendAt - n.now, priority: n.priority, timestamp: n.now });
    return { name: n.name, data, opts };
  });
}
