import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, SCHEDULE_QUEUE } from '../shared/queue-names.js';

/** Every neupush queue. Campaign chunks and scheduled sends are jobs in `deliveries`, named by kind. */
export const DASHBOARD_QUEUES = [
  { name: DELIVERY_QUEUE, description: 'One job per sendNotify request: notification, campaign-chunk or scheduled-notification' },
  { name: DEAD_LETTER_QUEUE, description: 'Deliveries that could not be sent, each named by its reason' },
  { name: SCHEDULE_QUEUE, description: 'Recurring schedules; each firing fans out into delivery jobs' },
] as const;
