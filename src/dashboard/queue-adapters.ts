import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Queue } from 'bullmq';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, SCHEDULE_QUEUE, WEBHOOK_DEAD_LETTER_QUEUE, WEBHOOK_QUEUE } from '../shared/queue-names.js';
import { DATE_PATHS, showDates } from './shown-dates.js';

/** Every neupush queue. Campaign chunks and scheduled sends are jobs in `deliveries`, named by kind. */
export const DASHBOARD_QUEUES = [
  {
    name: DELIVERY_QUEUE,
    description:
      'One job per sendNotify request: notification, campaign-chunk or scheduled-notification. Its Failed tab stays ' +
      'empty by design: a delivery that cannot be sent is moved to dead-letters (grouped by reason at /dead-letters); ' +
      'campaigns as a whole are at /campaigns',
  },
  {
    name: DEAD_LETTER_QUEUE,
    description:
      'Deliveries that could not be sent, each named by its reason. No worker consumes this queue, by design: ' +
      'entries wait here for `neupush dlq redrive` or `purge`',
  },
  { name: SCHEDULE_QUEUE, description: 'Recurring schedules; each firing fans out into delivery jobs' },
  {
    name: WEBHOOK_QUEUE,
    description: 'Signed webhook events on their way to NEUPUSH_WEBHOOK_URL, retried with backoff; never on the delivery path',
  },
  {
    name: WEBHOOK_DEAD_LETTER_QUEUE,
    description:
      'Webhook events a receiver did not take, with the reason. No worker consumes this queue, by design: ' +
      'entries wait here for `neupush webhooks redrive`',
  },
] as const;

/** Queues nothing consumes on purpose: their entries wait for a redrive. */
const PARKED_QUEUES: ReadonlySet<string> = new Set([DEAD_LETTER_QUEUE, WEBHOOK_DEAD_LETTER_QUEUE]);

/** The console's pages, in Bull Board's header menu: the way back from the job views. */
export const CONSOLE_LINKS = [
  { text: 'Campaigns', url: '/campaigns' },
  { text: 'Schedules', url: '/schedules' },
  { text: 'Dead letters', url: '/dead-letters' },
] as const;

/**
 * Bull Board warns "No workers" when nothing consumes a queue that is not paused. Nothing consumes the
 * dead letters on purpose, so for those queues the question is left unanswered (null), which shows no badge.
 */
class ParkedQueueAdapter extends BullMQAdapter {
  override getWorkers(): Promise<null> {
    return Promise.resolve(null);
  }
}

export function dashboardAdapters(queues: readonly Queue[], readOnly: boolean): BullMQAdapter[] {
  return queues.map((queue) => {
    const options = {
      readOnlyMode: readOnly,
      allowRetries: !readOnly,
      description: DASHBOARD_QUEUES.find((q) => q.name === queue.name)?.description ?? '',
    };
    const adapter = PARKED_QUEUES.has(queue.name) ? new ParkedQueueAdapter(queue, options) : new BullMQAdapter(queue, options);
    const paths = DATE_PATHS[queue.name];
    if (paths) adapter.setFormatter('data', (data: unknown) => showDates(data, paths));
    return adapter;
  });
}
