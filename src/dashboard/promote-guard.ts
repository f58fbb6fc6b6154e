import type { Queue } from 'bullmq';

/** Promoting sends now; within this of its intended time that is what the operator means. */
export const PROMOTE_WINDOW_MS = 60_000;
const PAGE = 500;

export type PromoteAnswer = { status: 200; body: object } | { status: 409; body: { error: string } };

interface DelayedJob {
  id?: string | undefined;
  data: unknown;
  timestamp: number;
  delay: number;
  promote(): Promise<void>;
}

/**
 * When a delayed job is meant to run: a delivery keeps its intended send time in `sendAt` (BullMQ's delay
 * also counts retry backoff); a schedule's next firing is its timestamp plus delay.
 */
export function intendedTime(job: Pick<DelayedJob, 'data' | 'timestamp' | 'delay'>): number {
  const sendAt = (job.data as { sendAt?: unknown } | null)?.sendAt;
  return typeof sendAt === 'number' ? sendAt : job.timestamp + job.delay;
}

const tooEarly = (job: Pick<DelayedJob, 'data' | 'timestamp' | 'delay'>, now: number) => intendedTime(job) > now + PROMOTE_WINDOW_MS;

function ahead(at: number, now: number): string {
  const minutes = Math.round((at - now) / 60_000);
  return `${new Date(at).toISOString()}, ${minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`} from now`;
}

/** Bull Board's "Promote" on one job: refused when the job is meant to go out more than a minute from now. */
export async function promoteOne(queue: Queue, jobId: string, now = Date.now()): Promise<PromoteAnswer | undefined> {
  const job = (await queue.getJob(jobId)) as DelayedJob | undefined;
  if (!job || !tooEarly(job, now)) return undefined;
  return {
    status: 409,
    body: {
      error:
        `refusing to promote ${jobId}: it is scheduled for ${ahead(intendedTime(job), now)}, and promoting would send it at once. ` +
        `Only jobs due within ${PROMOTE_WINDOW_MS / 1000} s can be promoted`,
    },
  };
}

/**
 * Bull Board's "Promote all": refused as a whole when any delayed job is meant to go out more than a minute
 * from now. Otherwise the jobs checked are promoted one by one, so a far-future job queued meanwhile is
 * not swept along as BullMQ's own promote-all would.
 */
export async function promoteAllDue(queue: Queue, now = Date.now()): Promise<PromoteAnswer> {
  const due: DelayedJob[] = [];
  let early = 0;
  let first: number | undefined;
  for (let start = 0; ; start += PAGE) {
    const page = (await queue.getDelayed(start, start + PAGE - 1)) as DelayedJob[];
    for (const job of page) {
      if (!tooEarly(job, now)) due.push(job);
      else {
        early++;
        first = Math.min(first ?? Infinity, intendedTime(job));
      }
    }
    if (page.length < PAGE) break;
  }
  if (first !== undefined) {
    return {
      status: 409,
      body: {
        error:
          `refusing to promote all: ${early} delayed job${early === 1 ? ' is' : 's are'} scheduled more than ${PROMOTE_WINDOW_MS / 1000} s ahead ` +
          `(the first for ${ahead(first, now)}), and promoting would send them at once. Promote due jobs one by one`,
      },
    };
  }
  // A job may have left the delayed set since the page was read (a worker took it, it was removed).
  await Promise.allSettled(due.map((job) => job.promote()));
  return { status: 200, body: {} };
}
