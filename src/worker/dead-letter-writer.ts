import type { Job } from 'bullmq';
import type { CallResult } from '../neuxnet/classify.js';
import type { DeadLetterData, DeadLetterReason } from '../shared/job-data.js';
import type { DeadLetterQueue } from '../shared/queues.js';

export interface DeadLetterDetails {
  attempts: number;
  lastError: string;
  result?: CallResult;
  /** When it failed, from the processor's clock (a test's fake clock too). Default: now. */
  failedAt?: number;
  /** The delivery as it went out, when it differs from the job's data (the frequency cap left openIds out). */
  delivery?: unknown;
}

/** Human text for a call result: what the platform (or the network) said. */
export function describeResult(r: CallResult): string {
  const parts: string[] = [];
  if (r.httpStatus !== undefined) parts.push(`HTTP ${r.httpStatus}`);
  if (r.status !== undefined) parts.push(`status ${r.status}`);
  if (r.msg) parts.push(r.msg);
  return parts.join(', ') || 'no answer';
}

/**
 * Write a dead letter under the delivery job's own id, so writing it twice (a crash after the write, a
 * stalled job run again) leaves one entry: BullMQ ignores an add whose job id exists.
 */
export async function writeDeadLetter(
  queue: DeadLetterQueue,
  job: Job,
  reason: DeadLetterReason,
  details: DeadLetterDetails,
): Promise<DeadLetterData> {
  const entry: DeadLetterData = {
    v: 1,
    reason,
    attempts: details.attempts,
    lastError: details.lastError,
    ...(details.result?.status !== undefined && { lastStatus: details.result.status }),
    ...(details.result?.httpStatus !== undefined && { lastHttpStatus: details.result.httpStatus }),
    jobId: job.id as string,
    delivery: details.delivery ?? (job.data as unknown),
    queuedAt: job.timestamp,
    failedAt: details.failedAt ?? Date.now(),
  };
  await queue.add(reason, entry, { jobId: job.id as string, removeOnComplete: false, removeOnFail: false });
  return entry;
}
