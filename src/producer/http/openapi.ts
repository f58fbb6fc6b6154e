import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LANGUAGES, LIMITS, NotificationSchema } from '../../neuxnet/notification.js';
import { SendOptionsSchema } from '../send-options.js';
import { NDJSON_MAX_HEADER_BYTES, NDJSON_MAX_LINE_BYTES } from './ndjson.js';
import { CampaignHeaderSchema, CampaignRequestSchema, RecipientSchema, RedriveRequestSchema, SendRequestSchema } from './schemas.js';
import * as answers from './response-schemas.js';
import { tidyDocument, type Json } from './openapi-tidy.js';

export const API_BODY_LIMIT = 1024 * 1024;

/** The interactive reference (Swagger UI, its assets served from the package) and what it lists. */
export const DOCS_PREFIX = '/docs';

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

/**
 * Schemas that become named components (and `$ref`s) rather than being inlined where they are used. Named in
 * zod's global registry, because that is where `.meta({ description })` keeps the fields' descriptions; once
 * per process, keeping any description a schema already has.
 */
function componentRegistry() {
  const registry = z.globalRegistry;
  const named: Record<string, z.ZodType> = {
    Notification: NotificationSchema,
    SendOptions: SendOptionsSchema,
    SendRequest: SendRequestSchema,
    Recipient: RecipientSchema,
    CampaignHeader: CampaignHeaderSchema,
    CampaignRequest: CampaignRequestSchema,
    RedriveRequest: RedriveRequestSchema,
    Error: answers.ErrorAnswerSchema,
    SendResult: answers.SendResultSchema,
    CampaignCreated: answers.CampaignCreatedSchema,
    CampaignStatus: answers.CampaignStatusSchema,
    DeadLetter: answers.DeadLetterSchema,
    RedriveResult: answers.RedriveResultSchema,
  };
  for (const [id, schema] of Object.entries(named)) {
    if (registry.get(schema)?.id !== id) registry.add(schema, { ...registry.get(schema), id });
  }
  return registry;
}

/** Zod's own conversion, plus: `send` also takes a Date, which over HTTP is an ISO-8601 string. */
const zodToJsonConfig = {
  override: (ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
    const def = (ctx.zodSchema as { _zod: { def: { type: string } } })._zod.def;
    if (def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    if (def.type === 'union' && Array.isArray(ctx.jsonSchema.anyOf)) {
      ctx.jsonSchema.anyOf = (ctx.jsonSchema.anyOf as object[]).filter((s) => Object.keys(s).length > 0);
    }
  },
};

type RouteDoc = Parameters<ReturnType<typeof createJsonSchemaTransform>>[0];

/**
 * fastify-type-provider-zod's transform, also for a body given per media type (`{ content: { type: { schema } } }`,
 * as the campaign route's JSON and NDJSON bodies are): each media type's zod schema is converted on its own.
 */
function routeTransform(registry: typeof z.globalRegistry) {
  const zodTransform = createJsonSchemaTransform({ schemaRegistry: registry, skipList: [], zodToJsonConfig });
  return (route: RouteDoc) => {
    const body = (route.schema as { body?: unknown } | undefined)?.body;
    if (!isContentMap(body)) return zodTransform(route);
    const content: Json = {};
    for (const [type, { schema, ...rest }] of Object.entries(body.content)) {
      const one = zodTransform({ ...route, schema: { body: schema } } as RouteDoc).schema as { body: unknown };
      content[type] = { ...rest, schema: one.body };
    }
    const out = zodTransform({ ...route, schema: { ...route.schema, body: undefined } } as RouteDoc);
    return { ...out, schema: { ...(out.schema as Json), body: { content } } };
  };
}

function isContentMap(body: unknown): body is { content: Record<string, { schema: unknown }> } {
  return typeof body === 'object' && body !== null && 'content' in body && !(body instanceof z.ZodType);
}

/**
 * Registers /openapi.json and the reference at /docs, generated from the `schema` of every route registered
 * after this (zod schemas, the same ones the handlers parse with). Fastify neither validates nor serialises
 * with those schemas: handlers parse themselves (so 400s keep naming each field as the README documents)
 * and answers go out as JSON.stringify makes them.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.setValidatorCompiler(() => (value) => ({ value }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const registry = componentRegistry();
  const components = createJsonSchemaTransformObject({ schemaRegistry: registry, zodToJsonConfig });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'neupush intake API',
        version,
        description:
          'Queue Neuxnet Super App notifications over HTTP. Authenticate with `Authorization: Bearer <NEUPUSH_API_TOKEN>`. ' +
          `JSON bodies are limited to ${API_BODY_LIMIT} bytes; NDJSON campaign bodies stream without a total limit, ` +
          `${NDJSON_MAX_HEADER_BYTES} bytes for the header line and ${NDJSON_MAX_LINE_BYTES} for each recipient line.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: routeTransform(registry) as never,
    transformObject: ((doc: Parameters<typeof components>[0]) => tidyDocument(components(doc) as Json, NOTIFICATION_NOTES)) as never,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { deepLinking: true } });
}
