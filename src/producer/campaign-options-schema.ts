import { z } from 'zod';
import { ID_PATTERN, ID_RULE } from '../shared/campaign-keys.js';
import type { CampaignProgress } from './campaign-options.js';
import { ExpiresInSchema } from './horizon.js';

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM = z.string({ error: 'must be a string' }).regex(LOCAL_TIME, 'must be HH:MM from 00:00 to 23:59, e.g. 22:00');

const QuietHoursSchema = z
  .strictObject(
    { from: HHMM, to: HHMM },
    { error: (i) => (i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : 'must be { from: "HH:MM", to: "HH:MM" }') },
  )
  .refine((q) => q.from !== q.to, { message: 'from and to must differ (an empty window, or the whole day)', path: ['to'] });

const ThrottleSchema = z.strictObject(
  {
    perMinute: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 1,000,000')
      .max(1_000_000, 'must be from 1 to 1,000,000'),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : 'must be { perMinute: N }') },
);

/**
 * Every option of CreateCampaignOptions, so that one strict check refuses unknown ones; those with parsers
 * of their own (recipients, notification, activity, validityTime, frequencyCap) pass here as unknown.
 */
export const ScalarOptions = z.strictObject(
  {
    id: z.string({ error: 'must be a string' }).regex(ID_PATTERN, ID_RULE).optional(),
    notification: z.unknown().optional(),
    activity: z.unknown().optional(),
    validityTime: z.unknown().optional(),
    until: z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' }).optional(),
    recipients: z.unknown(),
    sendAt: z.union([z.date(), z.string().min(1)], { error: 'must be a Date or an ISO-8601 string' }).optional(),
    timezone: z.string().min(1, 'must not be empty').optional(),
    localTime: z.string({ error: 'must be a string' }).regex(LOCAL_TIME, 'must be HH:MM on a 24-hour clock, e.g. 09:00').optional(),
    defaultTimezone: z.string().min(1, 'must not be empty').optional(),
    expiresIn: ExpiresInSchema.optional(),
    quietHours: QuietHoursSchema.optional(),
    throttle: ThrottleSchema.optional(),
    onProgress: z.custom<(p: CampaignProgress) => void>((v) => typeof v === 'function', 'must be a function').optional(),
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
    frequencyCap: z.unknown().optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}` : 'must be an object') },
);

/** The options with their scalar fields checked; the others are still unknown. */
export type ScalarCampaignOptions = z.output<typeof ScalarOptions>;
