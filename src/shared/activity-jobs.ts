import type { ActivityContent } from '../neuxnet/activity.js';
import type { Config } from './config.js';
import type { DeliveryJob } from './delivery-jobs.js';
import type { ActivityJobData } from './job-data.js';
import { JOB_NAME } from './queue-names.js';
import { deliveryJobOptions } from './queues.js';
import { activeTraceparent } from './spans.js';

/** What the delivery jobs of one show or remove of a card are made of. */
export interface ActivityJobsSpec {
  /** Job ids are `${runId}.${chunk}`; each is also its deliveryKey. */
  runId: string;
  activityId: string;
  content: ActivityContent;
  status: 0 | 1;
  openIds: readonly string[];
  priority: number;
  sendAt: number;
  deadline: number;
  now: number;
  /** Shows: the validity, as given. */
  validityTime?: number | undefined;
  until?: number | undefined;
  /** Shows: when the card's remove is due (remove wins from then on). */
  removeAt?: number | undefined;
  campaignId?: string | undefined;
  /** Campaign chunks name their own job ids (the campaign's batch and chunk) and index. */
  chunk?: { index: number; count: number } | undefined;
}

/** One delivery job of an activity card: one sendActivity request for at most NEUPUSH_CHUNK_SIZE openIds. */
export function activityJob(config: Readonly<Config>, spec: ActivityJobsSpec & { jobId: string }): DeliveryJob {
  const activity: ActivityJobData['activity'] = { ...spec.content, activityId: spec.activityId, status: spec.status, openIds: [...spec.openIds] };
  if (spec.validityTime !== undefined) activity.validityTime = spec.validityTime;
  if (spec.until !== undefined) activity.until = spec.until;
  if (spec.removeAt !== undefined) activity.removeAt = spec.removeAt;
  const data: ActivityJobData = { v: 1, kind: 'activity', deliveryKey: spec.jobId, sendAt: spec.sendAt, deadline: spec.deadline, activity };
  if (spec.campaignId !== undefined) data.campaignId = spec.campaignId;
  if (spec.chunk !== undefined) data.chunk = spec.chunk;
  const traceparent = activeTraceparent();
  if (traceparent !== undefined) data.traceparent = traceparent;
  const name = spec.status === 1 ? JOB_NAME.activityShow : JOB_NAME.activityRemove;
  const opts = deliveryJobOptions(config, { jobId: spec.jobId, delay: spec.sendAt - spec.now, priority: spec.priority, timestamp: spec.now });
  return { name, data, opts };
}

/** The jobs of one show or remove: the audience in chunks of NEUPUSH_CHUNK_SIZE, every one with the same activityId. */
export function chunkedActivityJobs(config: Readonly<Config>, spec: ActivityJobsSpec): DeliveryJob[] {
  const size = config.chunkSize;
  const count = Math.max(1, Math.ceil(spec.openIds.length / size));
  const jobs: DeliveryJob[] = [];
  for (let index = 0; index < count; index++) {
    const openIds = spec.openIds.slice(index * size, (index + 1) * size);
    jobs.push(activityJob(config, { ...spec, openIds, jobId: `${spec.runId}.${index}`, chunk: count > 1 ? { index, count } : undefined }));
  }
  return jobs;
}
