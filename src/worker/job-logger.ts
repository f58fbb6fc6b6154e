import type { Job } from 'bullmq';
import { plainLineLogger, type Logger } from '../shared/logger.js';

/** A job's logger, bound to its queue, id and attempt. */
export interface JobLogger {
  /** The job's child logger, made on first use: most deliveries log one line and need none. */
  (): Logger;
  /**
   * One info line with the job's bindings, without making a child logger (the per-delivery line). Its
   * fields must be ids, counts and durations only: it skips the redaction pass (plainLineLogger).
   */
  info(fields: Record<string, unknown>, msg: string): void;
}

/** pino's child() serialises its bindings up front, a cost on every job; so it is made only when needed. */
export function lazyJobLogger(root: Logger, job: Job): JobLogger {
  let child: Logger | undefined;
  // One object per line: the job's bindings and the line's fields together.
  const bound = (fields: Record<string, unknown> = {}) => ({ queue: job.queueName, jobId: job.id, attempt: job.attemptsMade + 1, ...fields });
  const get = () => (child ??= root.child(bound()));
  return Object.assign(get, {
    info(fields: Record<string, unknown>, msg: string) {
      if (child) child.info(fields, msg);
      else if (root.isLevelEnabled('info')) plainLineLogger(root).info(bound(fields), msg);
    },
  });
}
