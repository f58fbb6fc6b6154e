import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import type { RecipientInput } from '../../shared/recipient.js';
import { toFieldIssues } from '../../shared/zod-issues.js';
import type { CreateCampaignOptions } from '../campaign-options.js';
import type { Producer } from '../producer.js';
import { HttpError } from './http-error.js';
import { ndjsonRecords, type NdjsonRecord } from './ndjson.js';
import { ROUTE_DOCS } from './route-docs.js';
import {
  CampaignHeaderSchema,
  CampaignQuerySchema,
  CampaignRequestSchema,
  IdempotencyKeySchema,
  DeadLetterQuerySchema,
  ListQuerySchema,
  RedriveRequestSchema,
  SendRequestSchema,
} from './schemas.js';
import { registerActivityRoutes } from './activity-routes.js';

const NDJSON = 'application/x-ndjson';

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string, basePath: string[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(what, toFieldIssues(result.error, basePath));
  return result.data;
}

function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  return parse(IdempotencyKeySchema, Array.isArray(header) ? header.join(',') : header, 'Idempotency-Key header', ['Idempotency-Key']);
}

/** Fields the producer names without the request's nesting get it back, so a client can find them. */
async function nested<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      prefix,
      error.issues.map((i) => ({ ...i, field: i.field ? `${prefix}.${i.field}` : prefix })),
      { total: error.issueCount, cause: error },
    );
  }
}

/** A campaign id from an Idempotency-Key: the same key, the same campaign (a repeat resumes or is a no-op). */
function campaignIdFromKey(key: string): string {
  return `k-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export function registerRoutes(app: FastifyInstance, producer: Producer): void {
  // JSON and NDJSON only: anything else, plain text included, is a 415.
  app.removeContentTypeParser('text/plain');
  // Hand the raw stream to the handler: recipients are read line by line, never buffered whole.
  app.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));

  app.post('/v1/notifications', { schema: ROUTE_DOCS.send }, async (request, reply) => {
    const body = parse(SendRequestSchema, request.body, 'request');
    const raw = request.body as { notification: Parameters<Producer['send']>[0] };
    const key = idempotencyKeyOf(request);
    if (key !== undefined && body.options?.idempotencyKey !== undefined && body.options.idempotencyKey !== key) {
      throw new ValidationError('request', [{ field: 'options.idempotencyKey', rule: 'differs from the Idempotency-Key header' }]);
    }
    const options = { ...body.options, ...(key !== undefined && { idempotencyKey: key }) };
    const result = await nested('options', () => producer.send(raw.notification, options));
    return reply.code(202).send(result);
  });

  registerActivityRoutes(app, producer, { parse, nested, idempotencyKeyOf });

  app.post('/v1/campaigns', { schema: ROUTE_DOCS.createCampaign }, async (request, reply) => {
    const dryRun = parse(CampaignQuerySchema, request.query, 'query').dryRun === 'true';
    const key = idempotencyKeyOf(request);
    const defaultId = key === undefined ? {} : { id: campaignIdFromKey(key) };
    let options: CreateCampaignOptions;
    if (request.headers['content-type']?.startsWith(NDJSON)) {
      const records = ndjsonRecords(request.body as Readable);
      const first = await records.next();
      if (first.done) throw new ValidationError('campaign', [{ field: 'line 1', rule: 'must be the campaign header' }]);
      const header = parse(CampaignHeaderSchema, first.value.value, 'campaign header', ['line 1']);
      // createCampaign checks the notification itself, naming each field.
      options = { ...defaultId, ...header, recipients: recipientsOf(records) } as unknown as CreateCampaignOptions;
    } else {
      const body = parse(CampaignRequestSchema, request.body, 'campaign');
      options = { ...defaultId, ...body } as unknown as CreateCampaignOptions;
    }
    if (dryRun) return reply.code(200).send(await producer.createCampaign({ ...options, dryRun: true }));
    const created = await producer.createCampaign(options);
    return reply.code(202).send(created);
  });

  app.get('/v1/campaigns', { schema: ROUTE_DOCS.listCampaigns }, async (request) => {
    const query = parse(ListQuerySchema, request.query, 'query');
    return { campaigns: await producer.listCampaigns(query) };
  });

  app.get<{ Params: { id: string } }>('/v1/campaigns/:id', { schema: ROUTE_DOCS.getCampaign }, async (request) => {
    const status = await producer.getCampaign(request.params.id);
    if (!status) throw new HttpError(404, `no campaign with id ${request.params.id}`);
    return status;
  });

  app.delete<{ Params: { id: string } }>('/v1/campaigns/:id', { schema: ROUTE_DOCS.cancelCampaign }, async (request) => producer.cancelCampaign(request.params.id));

  app.get('/v1/dead-letters', { schema: ROUTE_DOCS.listDeadLetters }, async (request) => {
    const { campaign, ...query } = parse(DeadLetterQuerySchema, request.query, 'query');
    return { deadLetters: await producer.listDeadLetters({ ...query, ...(campaign !== undefined && { campaignId: campaign }) }) };
  });

  app.post('/v1/dead-letters/redrive', { schema: ROUTE_DOCS.redrive }, async (request) => {
    const body = parse(RedriveRequestSchema, request.body, 'request');
    return producer.redriveDeadLetters('all' in body ? 'all' : body.ids);
  });
}

async function* recipientsOf(records: AsyncGenerator<NdjsonRecord>): AsyncGenerator<RecipientInput> {
  for await (const record of records) yield record.value as RecipientInput;
}
