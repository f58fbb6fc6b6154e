import { z } from 'zod';
import { ID_PATTERN, ID_RULE } from '../../shared/campaign-keys.js';
import { DEAD_LETTER_REASONS } from '../../shared/job-data.js';
import { NotificationSchema } from '../../neuxnet/notification.js';
import { FrequencyCapSchema } from '../../shared/frequency-cap.js';
import { SendOptionsSchema } from '../send-options.js';
import { ActivityCardSchema } from '../../neuxnet/activity.js';
import { RemoveActivityOptionsSchema, ShowActivityOptionsSchema } from '../activity-options.js';

/**
 * Bodies and queries of the HTTP intake API. The notification and send options are the very schemas
 * `send` uses; /openapi.json is generated from these.
 */

const strict = (what: string) => ({
  error: (i: { code: string; keys?: string[] }) =>
    i.code === 'unrecognized_keys' ? `unknown field(s) ${(i.keys ?? []).join(', ')}` : `must be ${what}`,
});

/** POST /v1/notifications: the notification and `send`'s options, side by side (their field names never mix). */
export const SendRequestSchema = z.strictObject(
  {
    notification: NotificationSchema,
    options: SendOptionsSchema.optional(),
  },
  strict('an object with notification and, optionally, options'),
);

export const RecipientSchema = z.union(
  [
    z.string(),
    z.strictObject({
      openId: z.string(),
      timezone: z.string().optional().meta({ description: 'IANA zone, used with localTime' }),
      language: z.string().optional().meta({ description: 'one of the notification languages (en_US, ar_SA, zh_CN)' }),
    }),
  ],
  { error: 'must be an openId string or { openId, timezone, language }' },
);

/**
 * The campaign's options: a JSON request's fields besides `recipients`, or the first NDJSON line. Only the
 * envelope is checked here; createCampaign checks the notification and timing (and names the field).
 */
export const CampaignHeaderSchema = z.strictObject(
  {
    id: z.string().regex(ID_PATTERN, ID_RULE).optional().meta({
      description: 'Creating with an existing id resumes that campaign. Default: the Idempotency-Key derived id, else cmp-<uuid>',
    }),
    notification: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional().meta({
      description: "The notification, in the vendor's fields, without openIds (rulesType 3 or absent). Exactly one of notification and activity",
    }),
    activity: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional().meta({
      description: 'An activity card (ActivityCard) without openIds, instead of notification; needs validityTime or until',
    }),
    validityTime: z.number().optional().meta({ description: 'With activity: seconds the card is shown' }),
    until: z.string().min(1).optional().meta({ description: 'With activity: ISO instant the card ends (validity computed when sent)' }),
    sendAt: z.string().min(1).optional().meta({ description: 'ISO instant with offset, or a wall-clock time with timezone. Default: now' }),
    timezone: z.string().min(1).optional(),
    localTime: z.string().optional().meta({ description: "HH:MM: deliver at this time in each recipient's zone (not with sendAt)" }),
    defaultTimezone: z.string().min(1).optional().meta({ description: 'Zone of recipients that name none, with localTime or quietHours' }),
    expiresIn: z.union([z.string().min(1), z.number().positive()]).optional().meta({ description: '30m, 2h, or ms. Default NEUPUSH_MAX_LATENESS' }),
    quietHours: z
      .looseObject({ from: z.string(), to: z.string() }, { error: 'must be { from: "HH:MM", to: "HH:MM" }' })
      .optional()
      .meta({ description: "HH:MM window (may wrap midnight) in the recipient's zone: a send time inside it moves to its end" }),
    throttle: z
      .looseObject({ perMinute: z.number() }, { error: 'must be { perMinute: N }' })
      .optional()
      .meta({ description: 'At most perMinute (1 to 1,000,000) recipients become due per minute, spread evenly' }),
    frequencyCap: FrequencyCapSchema.optional(),
  },
  strict('an object (the campaign header)'),
);

export const CampaignRequestSchema = CampaignHeaderSchema.extend({
  recipients: z.array(RecipientSchema, { error: 'must be an array of openIds or { openId, timezone, language }' }).min(1, 'must not be empty'),
});

/** `POST /v1/campaigns?dryRun=true`: check and plan, write nothing. */
export const CampaignQuerySchema = z.strictObject(
  { dryRun: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() },
  strict('dryRun'),
);

export const ListQuerySchema = z.strictObject(
  {
    limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(1_000).default(100),
    offset: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).default(0),
  },
  strict('limit and offset'),
);

export const DeadLetterQuerySchema = z.strictObject(
  {
    ...ListQuerySchema.shape,
    campaign: z.string().regex(ID_PATTERN, ID_RULE).optional(),
    reason: z.enum(DEAD_LETTER_REASONS, { error: `must be one of ${DEAD_LETTER_REASONS.join(', ')}` }).optional(),
  },
  strict('limit, offset, campaign and reason'),
);

export const RedriveRequestSchema = z.union(
  [
    z.strictObject({ ids: z.array(z.string().min(1)).min(1, 'must not be empty').max(10_000) }),
    z.strictObject({ all: z.literal(true) }),
  ],
  { error: 'must be { "ids": [...] } or { "all": true }' },
);

/** The Idempotency-Key header, under the same rule as `send`'s idempotencyKey option. */
export const IdempotencyKeySchema = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** POST /v1/activities: the card (with its openIds) and `showActivity`'s options. */
export const ActivityRequestSchema = z.strictObject(
  {
    activity: ActivityCardSchema,
    options: ShowActivityOptionsSchema.optional(),
  },
  strict('an object with activity and, optionally, options'),
);

/** DELETE /v1/activities/{id}: whom to remove the card for, and `removeActivity`'s options. */
export const RemoveActivityRequestSchema = z.strictObject(
  {
    audience: z.array(z.string(), { error: 'must be an array of openIds' }).min(1, 'must not be empty'),
    options: RemoveActivityOptionsSchema.optional(),
  },
  strict('an object with audience and, optionally, options'),
);
