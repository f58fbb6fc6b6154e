import { DateTime } from 'luxon';
import type { SendOptions } from '../../producer/send-options.js';
import type { FaultRule } from '../../sandbox/sandbox.js';
import type { NotificationInput } from '../../neuxnet/notification.js';

export type Expected = 'delivered' | 'dead-lettered';

export interface DemoCase {
  /** Unique per case: progress lines and the sandbox's fault rules recognise a request by its title. */
  title: string;
  /** What the case shows, for the summary. */
  shows: string;
  notification: NotificationInput;
  options: SendOptions;
  /** When it is due, ms. */
  dueAt: number;
  expect: Expected;
}

/** Riyadh has no daylight-saving time, so "a few seconds ahead" there is never ambiguous. */
export const DEMO_ZONE = 'Asia/Riyadh';
export const SCHEDULED_IN_MS = 10_000;
const ZONED_IN_MS = 6_000;

export const TITLES = {
  now: 'Welcome to neupush',
  later: 'Your order ships in 10 s',
  flaky: 'Delivered despite two 503s',
  rejected: 'Rejected by the platform',
  zoned: 'Good morning from Riyadh',
} as const;

const openIds = (...n: number[]) => n.map((i) => `demo-user-${i}`);
const link = (path: string) => ({ navigateType: 2, url: `https://example.com/${path}` }) as const;

/** The five notifications the demo sends; `now` is when they are queued. */
export function demoCases(now: number): DemoCase[] {
  // A wall-clock time has second precision: round up so it is still ahead when it is queued.
  const zoned = DateTime.fromMillis(now + ZONED_IN_MS, { zone: DEMO_ZONE }).plus({ seconds: 1 }).startOf('second');
  return [
    {
      title: TITLES.now,
      shows: 'send now to 3 openIds',
      notification: { title: TITLES.now, text: 'Thanks for trying the demo.', ...link('welcome'), openIds: openIds(1, 2, 3) },
      options: {},
      dueAt: now,
      expect: 'delivered',
    },
    {
      title: TITLES.later,
      shows: `sendAt ${SCHEDULED_IN_MS / 1000} s ahead`,
      notification: { title: TITLES.later, text: 'Scheduled with sendAt.', ...link('orders/42'), openIds: openIds(4, 5) },
      options: { sendAt: new Date(now + SCHEDULED_IN_MS) },
      dueAt: now + SCHEDULED_IN_MS,
      expect: 'delivered',
    },
    {
      title: TITLES.flaky,
      shows: 'HTTP 503 twice, retried with backoff',
      notification: { title: TITLES.flaky, text: 'The sandbox fails this one twice.', ...link('flaky'), openIds: openIds(6) },
      options: {},
      dueAt: now,
      expect: 'delivered',
    },
    {
      title: TITLES.rejected,
      shows: 'status 400: dead-lettered, no retry',
      notification: { title: TITLES.rejected, text: 'The sandbox refuses this one.', ...link('rejected'), openIds: openIds(7) },
      options: {},
      dueAt: now,
      expect: 'dead-lettered',
    },
    {
      title: TITLES.zoned,
      shows: `wall-clock ${zoned.toFormat('HH:mm:ss')} in ${DEMO_ZONE}`,
      // navigateType 1 opens a Mini App; miniAppId defaults to the configured appid.
      notification: { title: TITLES.zoned, text: 'Sent at a local time.', navigateType: 1, language: 'ar_SA', openIds: openIds(8, 9) },
      options: { sendAt: zoned.toFormat("yyyy-LL-dd'T'HH:mm:ss"), timezone: DEMO_ZONE },
      dueAt: zoned.toMillis(),
      expect: 'delivered',
    },
  ];
}

/** The sandbox's script: fail the flaky one twice with 503, refuse the rejected one as the platform would. */
export function demoFaults(): FaultRule[] {
  return [
    { match: { title: TITLES.flaky }, times: 2, httpStatus: 503, msg: 'service unavailable (demo fault)' },
    { match: { title: TITLES.rejected }, headerStatus: 400, msg: 'invalid parameter' },
  ];
}
