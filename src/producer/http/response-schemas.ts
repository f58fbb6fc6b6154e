import { z } from 'zod';
import { DEAD_LETTER_REASONS } from '../../shared/job-data.js';
import { CAMPAIGN_STATES } from '../../shared/campaign-status.js';

/**
 * What the API answers, for the OpenAPI document only: answers are serialised as they are (JSON.stringify),
 * never filtered through these, so a field added to an answer can never vanish on the way out.
 */

export const ErrorAnswerSchema = z.looseObject({
  error: z.string(),
  issues: z.array(z.object({ field: z.string(), rule: z.string() })).optional(),
  issueCount: z.number().int().optional().meta({ description: 'How many issues there were (the first 20 are listed)' }),
});

export const SendResultSchema = z.object({
  id: z.string(),
  jobs: z.number().int().meta({ description: 'Delivery jobs queued (one per request of at most NEUPUSH_CHUNK_SIZE openIds)' }),
  duplicate: z.boolean().optional().meta({ description: 'An earlier request under the same idempotency key queued it' }),
});

export const CampaignCreatedSchema = z.looseObject({
  id: z.string(),
  recipients: z.number().int(),
  jobs: z.number().int(),
  read: z.number().int(),
  existing: z.boolean().meta({ description: 'Nothing was queued by this call: the id was already fully queued, or cancelled' }),
  cancelled: z.boolean(),
});

export const CampaignStatusSchema = z
  .looseObject({
    id: z.string(),
    state: z.enum(CAMPAIGN_STATES),
    recipients: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    pending: z.number().int(),
    jobs: z.number().int(),
    title: z.string(),
    createdAt: z.string(),
    quietHours: z.string().optional().meta({ description: 'HH:MM-HH:MM, when the campaign has quiet hours' }),
    throttle: z.number().int().optional().meta({ description: 'Recipients per minute, when the campaign is paced' }),
    heldByQuietHours: z.number().int().optional().meta({ description: 'Recipients whose send time quiet hours moved' }),
    expectedFinishAt: z.string().optional().meta({ description: 'When paced: the latest due time queued so far' }),
  })
  .meta({ description: 'State and counts of a campaign, and its timing options and timestamps' });

export const DeadLetterSchema = z.looseObject({
  id: z.string(),
  reason: z.enum(DEAD_LETTER_REASONS),
  attempts: z.number().int(),
  lastError: z.string(),
  notification: z.record(z.string(), z.unknown()),
});

export const RedriveResultSchema = z.object({
  redriven: z.number().int(),
  skipped: z.array(z.object({ id: z.string(), why: z.string() })),
});

export const ActivityResultSchema = z.object({
  activityId: z.string().meta({ description: 'The card id (the caller\'s, or generated): use it to update or remove the card' }),
  id: z.string().meta({ description: 'Every delivery job of this call starts with it' }),
  jobs: z.number().int(),
  duplicate: z.boolean(),
});
