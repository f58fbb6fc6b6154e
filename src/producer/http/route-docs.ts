import { z } from 'zod';
import { ID_PATTERN, ID_RULE } from '../../shared/campaign-keys.js';
import {
  CampaignHeaderSchema,
  CampaignQuerySchema,
  CampaignRequestSchema,
  DeadLetterQuerySchema,
  IdempotencyKeySchema,
  ListQuerySchema,
  RecipientSchema,
  RedriveRequestSchema,
  SendRequestSchema,
  ActivityRequestSchema,
  RemoveActivityRequestSchema,
} from './schemas.js';
import * as answers from './response-schemas.js';

/**
 * The `schema` of each route: what /openapi.json says about it. A route added with a `schema` of zod
 * schemas (body, querystring, params, headers, response) is documented with no further edit.
 */

const answer = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => answer(description, answers.ErrorAnswerSchema);

const authErrors = {
  401: error('No bearer token, or a malformed Authorization header'),
  403: error('Wrong bearer token'),
};
const badRequest = { 400: error('Invalid input: each failing field and the rule it breaks') };
const idempotencyHeader = z.object({
  'idempotency-key': IdempotencyKeySchema.optional().meta({
    description: 'The same key twice gives one notification (or campaign) and answers with the first id',
  }),
});
const campaignParams = z.object({ id: z.string().regex(ID_PATTERN, ID_RULE) });

const activityParams = z.object({ id: z.string().regex(ID_PATTERN, ID_RULE) });

export const ROUTE_DOCS = {
  showActivity: {
    summary: 'Show (or update, with the same activityId) an activity card on the Super App home page (sendActivity)',
    headers: idempotencyHeader,
    body: ActivityRequestSchema,
    response: {
      202: answer('Queued', answers.ActivityResultSchema),
      ...badRequest,
      ...authErrors,
      409: error('The Idempotency-Key was used with a different request'),
      413: error('Body too large'),
    },
  },
  removeActivity: {
    summary: 'Remove an activity card (status 0) for an audience; the remove wins over every earlier show',
    params: activityParams,
    body: RemoveActivityRequestSchema,
    response: { 202: answer('Queued', answers.ActivityResultSchema), ...badRequest, ...authErrors, 413: error('Body too large') },
  },
  send: {
    summary: 'Queue one notification (the same schema and options as `neupush send`)',
    headers: idempotencyHeader,
    body: SendRequestSchema,
    response: {
      202: answer('Queued', answers.SendResultSchema),
      ...badRequest,
      ...authErrors,
      409: error('The Idempotency-Key was used with a different request'),
      413: error('Body too large'),
    },
  },
  createCampaign: {
    summary: 'Create (or resume) a campaign: JSON with a recipients array, or NDJSON streaming',
    description:
      'application/x-ndjson: the first line is the campaign header (CampaignHeader), every further line one Recipient ' +
      '(an openId string or { openId, timezone, language }). Recipients are streamed into the queue in batches, never buffered whole; ' +
      'an error after some batches leaves those queued: send the same body again with the same id to resume, or DELETE it.',
    headers: idempotencyHeader,
    querystring: CampaignQuerySchema,
    body: {
      content: {
        'application/json': { schema: CampaignRequestSchema },
        'application/x-ndjson': {
          // Each line is one JSON value: the first a CampaignHeader, every further one a Recipient.
          schema: z.union([CampaignHeaderSchema, RecipientSchema]).meta({ description: 'One line: the CampaignHeader first, then one Recipient per line' }),
        },
      },
    },
    response: {
      // A dry run (?dryRun=true) answers 200 with the plan; its shape is documented in the README.
      200: answer('The plan of a dry run (dryRun=true): nothing was written', z.object({}).passthrough()),
      202: answer('Queued', answers.CampaignCreatedSchema),
      ...badRequest,
      ...authErrors,
      409: error('Another request is creating the same campaign right now, or the id was used with a different request'),
      413: error('JSON body, or one NDJSON line, too large'),
    },
  },
  listCampaigns: {
    summary: 'Campaigns, newest first',
    querystring: ListQuerySchema,
    response: { 200: answer('Campaigns', z.object({ campaigns: z.array(answers.CampaignStatusSchema) })), ...badRequest, ...authErrors },
  },
  getCampaign: {
    summary: 'State and counts of a campaign',
    params: campaignParams,
    response: { 200: answer('The campaign', answers.CampaignStatusSchema), ...badRequest, ...authErrors, 404: error('No such campaign') },
  },
  cancelCampaign: {
    summary: 'Cancel a campaign; when this answers, nothing more of it is sent',
    params: campaignParams,
    response: { 200: answer('Cancelled', answers.CampaignStatusSchema), ...badRequest, ...authErrors, 404: error('No such campaign') },
  },
  listDeadLetters: {
    summary: 'Dead letters, oldest first',
    querystring: DeadLetterQuerySchema,
    response: { 200: answer('Dead letters', z.object({ deadLetters: z.array(answers.DeadLetterSchema) })), ...badRequest, ...authErrors },
  },
  redrive: {
    summary: 'Put dead letters back with fresh attempts and a fresh deadline',
    body: RedriveRequestSchema,
    response: { 200: answer('Redriven', answers.RedriveResultSchema), ...badRequest, ...authErrors },
  },
  healthz: {
    summary: 'The API answers (no authentication)',
    security: [],
    response: { 200: answer('Alive', z.object({ status: z.literal('ok') })) },
  },
  openapi: {
    summary: 'This document (no authentication); the interactive reference is at /docs',
    security: [],
    response: { 200: answer('OpenAPI 3.1', z.record(z.string(), z.unknown())) },
  },
};
