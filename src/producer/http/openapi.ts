import { z } from 'zod';
import { LANGUAGES, LIMITS, NotificationSchema } from '../../neuxnet/notification.js';
import { SendOptionsSchema } from '../send-options.js';
import { DEAD_LETTER_REASONS } from '../../shared/job-data.js';
import { NDJSON_MAX_HEADER_BYTES, NDJSON_MAX_LINE_BYTES } from './ndjson.js';
import {
  CampaignHeaderSchema,
  CampaignRequestSchema,
  RecipientSchema,
  RedriveRequestSchema,
  SendRequestSchema,
} from './schemas.js';

export const API_BODY_LIMIT = 1024 * 1024;

type Json = Record<string, unknown>;

/**
 * What JSON Schema cannot say about the notification: the spec's cross-field rules and the codes that
 * accept both string and number forms. Added as descriptions beside the generated schema.
 */
const NOTIFICATION_NOTES: Record<string, string> = {
  notifyType: '1 (plain text), the only documented type. Default 1',
  rulesType: '"1" everyone, "2" by phone number (needs countryCode and mobileNumber), "3" or absent: by openIds (string or number)',
  countryCode: 'e.g. "+966"; only with rulesType 2',
  mobileNumber: '4 to 15 digits; only with rulesType 2. Never logged',
  openIds: `Recipients, de-duplicated; at most ${LIMITS.openIdsPerSend} (use a campaign for more). Required unless rulesType is 1 or 2`,
  navigateType: '"1" open a Mini App (needs language; miniAppId defaults to NEUXNET_APPID), "2" open a URL (needs url)',
  url: 'absolute http(s) URL; only with navigateType 2',
  language: `one of ${LANGUAGES.join(', ')}; required with navigateType 1`,
};

/** Strip what zod adds for standalone documents (and the readOnly it puts on transformed arrays). */
function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id' || key === 'readOnly') continue;
    out[key] = clean(value);
  }
  return out;
}

function requestSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  registry.add(NotificationSchema, { id: 'Notification' });
  registry.add(SendOptionsSchema, { id: 'SendOptions' });
  registry.add(SendRequestSchema, { id: 'SendRequest' });
  registry.add(RecipientSchema, { id: 'Recipient' });
  registry.add(CampaignHeaderSchema, { id: 'CampaignHeader' });
  registry.add(CampaignRequestSchema, { id: 'CampaignRequest' });
  registry.add(RedriveRequestSchema, { id: 'RedriveRequest' });
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    // Refinements (cross-field rules) have no JSON Schema form; they are described instead.
    unrepresentable: 'any',
    override: (ctx) => {
      // `send` also takes a Date; over HTTP that is an ISO-8601 string.
      if ((ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def.type === 'date') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date-time';
      }
    },
  });
  const out = clean(schemas) as Record<string, Json>;
  const properties = (out.Notification?.properties ?? {}) as Record<string, Json>;
  for (const [field, note] of Object.entries(NOTIFICATION_NOTES)) {
    if (properties[field]) properties[field].description = note;
  }
  // The header only checks that it is an object (createCampaign checks the rest); document what it holds.
  const header = (out.CampaignHeader?.properties ?? {}) as Record<string, Json>;
  header.notification = {
    allOf: [ref('Notification')],
    description:
      'The notification without openIds (the recipients supply them). It may carry translations: { "ar_SA": { title, text, link?, url? }, ... }, ' +
      "the content for recipients of that language (then language is required: the language of title and text)",
  };
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });
const answer = (description: string, schema: Json) => ({ description, content: json(schema) });

const errorResponses = {
  '401': answer('No bearer token, or a malformed Authorization header', ref('Error')),
  '403': answer('Wrong bearer token', ref('Error')),
};
const badRequest = { '400': answer('Invalid input: each failing field and the rule it breaks', ref('Error')) };

const responseSchemas: Record<string, Json> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string' },
      issues: {
        type: 'array',
        items: { type: 'object', required: ['field', 'rule'], properties: { field: { type: 'string' }, rule: { type: 'string' } } },
      },
    },
  },
  SendResult: {
    type: 'object',
    required: ['id', 'jobs'],
    properties: { id: { type: 'string' }, jobs: { type: 'integer', description: 'Delivery jobs queued (one per request of at most NEUPUSH_CHUNK_SIZE openIds)' } },
  },
  CampaignCreated: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      recipients: { type: 'integer' },
      jobs: { type: 'integer' },
      read: { type: 'integer' },
      existing: { type: 'boolean', description: 'Nothing was queued by this call: the id was already fully queued, or cancelled' },
      cancelled: { type: 'boolean' },
    },
  },
  CampaignStatus: {
    type: 'object',
    description: 'State and counts of a campaign (state: scheduled, sending, completed, completed_with_failures, cancelled)',
    additionalProperties: true,
    properties: {
      id: { type: 'string' },
      state: { type: 'string' },
      recipients: { type: 'integer' },
      sent: { type: 'integer' },
      failed: { type: 'integer' },
      byLanguage: {
        type: 'object',
        description: 'The counts (recipients, sent, failed, cancelled, pending) per language whose content the recipients get',
        additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    },
  },
  CampaignPlan: {
    type: 'object',
    description: 'What the campaign would send (dryRun=true); nothing was written',
    properties: {
      dryRun: { type: 'boolean', const: true },
      id: { type: 'string', description: 'The id asked for; a real create without one generates it' },
      read: { type: 'integer', description: 'Records read, duplicates included' },
      recipients: { type: 'integer', description: 'Distinct recipients' },
      requests: { type: 'integer', description: 'sendNotify requests (delivery jobs)' },
      byLanguage: {
        type: 'object',
        additionalProperties: { type: 'object', properties: { recipients: { type: 'integer' }, requests: { type: 'integer' } } },
      },
      sendTimes: {
        type: 'object',
        properties: { first: { type: 'string', format: 'date-time' }, last: { type: 'string', format: 'date-time' }, distinct: { type: 'integer' } },
      },
      heldByQuietHours: { type: 'integer', description: 'Recipients whose send time quiet hours moved' },
      expectedFinishAt: { type: 'string', format: 'date-time', description: 'When the last request would be due, with pacing' },
    },
  },
  DeadLetter: {
    type: 'object',
    additionalProperties: true,
    properties: {
      id: { type: 'string' },
      reason: { type: 'string', enum: ['expired', 'rejected', 'exhausted', 'invalid'] },
      attempts: { type: 'integer' },
      lastError: { type: 'string' },
      notification: { type: 'object' },
    },
  },
  RedriveResult: {
    type: 'object',
    properties: {
      redriven: { type: 'integer' },
      skipped: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, why: { type: 'string' } } } },
    },
  },
};

const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  schema: { type: 'string', minLength: 1, maxLength: 256 },
  description: 'The same key twice gives one notification (or campaign) and answers with the first id',
};

/** The OpenAPI 3.1 document served at /openapi.json; request bodies come from the zod schemas above. */
export function buildOpenApi(version: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'neupush intake API',
      version,
      description:
        'Queue Neuxnet Super App notifications over HTTP. Authenticate with `Authorization: Bearer <NEUPUSH_API_TOKEN>`. ' +
        `JSON bodies are limited to ${API_BODY_LIMIT} bytes; NDJSON campaign bodies stream without a total limit, ` +
        `${NDJSON_MAX_HEADER_BYTES} bytes for the header line and ${NDJSON_MAX_LINE_BYTES} for each recipient line.`,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { ...requestSchemas(), ...responseSchemas },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/notifications': {
        post: {
          summary: 'Queue one notification (the same schema and options as `neupush send`)',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: json(ref('SendRequest')) },
          responses: { '202': answer('Queued', ref('SendResult')), ...badRequest, ...errorResponses, '413': answer('Body too large', ref('Error')) },
        },
      },
      '/v1/campaigns': {
        get: {
          summary: 'Campaigns, newest first',
          parameters: pageParams,
          responses: { '200': answer('Campaigns', { type: 'object', properties: { campaigns: { type: 'array', items: ref('CampaignStatus') } } }), ...errorResponses },
        },
        post: {
          summary: 'Create (or resume) a campaign: JSON with a recipients array, or NDJSON streaming',
          description:
            'application/x-ndjson: the first line is the campaign header (CampaignHeader), every further line one Recipient ' +
            '(an openId string or { openId, timezone, language }). Recipients are streamed into the queue in batches, never buffered whole; ' +
            'an error after some batches leaves those queued: send the same body again with the same id to resume, or DELETE it.',
          parameters: [
            idempotencyKey,
            {
              name: 'dryRun',
              in: 'query',
              description: 'true: check everything a create would and answer 200 with the plan (CampaignPlan), writing nothing',
              schema: { type: 'string', enum: ['true', 'false'] },
            },
          ],
          requestBody: {
            required: true,
            content: {
              ...json(ref('CampaignRequest')),
              'application/x-ndjson': { schema: { type: 'string', description: 'CampaignHeader line, then one Recipient per line' } },
            },
          },
          responses: {
            '200': answer('dryRun=true: the plan; nothing was written', ref('CampaignPlan')),
            '202': answer('Queued', ref('CampaignCreated')),
            ...badRequest,
            ...errorResponses,
            '409': answer('Another request is creating the same campaign right now', ref('Error')),
            '413': answer('JSON body, or one NDJSON line, too large', ref('Error')),
          },
        },
      },
      '/v1/campaigns/{id}': {
        get: {
          summary: 'State and counts of a campaign',
          parameters: [idParam],
          responses: { '200': answer('The campaign', ref('CampaignStatus')), '404': answer('No such campaign', ref('Error')), ...errorResponses },
        },
        delete: {
          summary: 'Cancel a campaign; when this answers, nothing more of it is sent',
          parameters: [idParam],
          responses: { '200': answer('Cancelled', ref('CampaignStatus')), '404': answer('No such campaign', ref('Error')), ...errorResponses },
        },
      },
      '/v1/dead-letters': {
        get: {
          summary: 'Dead letters, oldest first',
          parameters: [
            ...pageParams,
            { name: 'campaign', in: 'query', description: "only this campaign's", schema: { type: 'string' } },
            { name: 'reason', in: 'query', schema: { type: 'string', enum: [...DEAD_LETTER_REASONS] } },
          ],
          responses: { '200': answer('Dead letters', { type: 'object', properties: { deadLetters: { type: 'array', items: ref('DeadLetter') } } }), ...errorResponses },
        },
      },
      '/v1/dead-letters/redrive': {
        post: {
          summary: 'Put dead letters back with fresh attempts and a fresh deadline',
          requestBody: { required: true, content: json(ref('RedriveRequest')) },
          responses: { '200': answer('Redriven', ref('RedriveResult')), ...badRequest, ...errorResponses },
        },
      },
      '/healthz': { get: { summary: 'The API answers (no authentication)', security: [], responses: { '200': { description: 'Alive' } } } },
      '/openapi.json': { get: { summary: 'This document (no authentication)', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
  };
}
