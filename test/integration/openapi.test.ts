import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';

const TOKEN = 'tok-5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a';

let api: Api;
let doc: { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, Record<string, unknown>> } };

beforeAll(async () => {
  api = await startApi({
    env: {},
    config: { redisUrl: redisUrl(), prefix: testPrefix(), apiToken: TOKEN },
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'silent' }),
  });
  doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as typeof doc;
});

afterAll(async () => {
  await api?.close();
});

/** Fastify's `/v1/campaigns/:id` as OpenAPI writes it. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('/openapi.json, generated from the routes and their zod schemas', () => {
  it('is a valid OpenAPI 3.1 document for an independent validator', async () => {
    const result = await validate(structuredClone(doc) as never);
    expect('errors' in result ? result.errors : []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route the server registered (and nothing of /docs)', () => {
    expect(api.routes.length).toBeGreaterThanOrEqual(9);
    for (const route of api.routes) {
      const [method, url] = route.split(' ') as [string, string];
      expect(doc.paths[openApiPath(url)]?.[method.toLowerCase()], route).toBeDefined();
    }
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs'))).toEqual([]);
  });

  it('takes request bodies, queries, params, headers and answers from the route schemas', () => {
    const send = doc.paths['/v1/notifications']!.post!;
    expect(send.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/SendRequest' } } } });
    expect(send.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'idempotency-key' })]));
    expect(Object.keys(send.responses as object)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409', '413']));
    const create = doc.paths['/v1/campaigns']!.post!;
    expect(Object.keys((create.requestBody as { content: object }).content)).toEqual(['application/json', 'application/x-ndjson']);
    const list = doc.paths['/v1/dead-letters']!.get!;
    expect((list.parameters as { name: string }[]).map((p) => p.name)).toEqual(['limit', 'offset', 'campaign', 'reason']);
    expect(doc.paths['/v1/campaigns/{id}']!.delete!.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true })]);
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
    expect(Object.keys(doc.components.schemas).filter((id) => id.endsWith('Input'))).toEqual([]);
    const header = doc.components.schemas.CampaignHeader as { properties: Record<string, { description?: string }> };
    expect(header.properties.localTime?.description).toMatch(/HH:MM/);
    expect(header.properties.quietHours?.description).toMatch(/window/);
    expect(header.properties.throttle?.description).toMatch(/perMinute/);
  });
});

describe('/docs, the interactive reference', () => {
  it('is served without a token, with its assets from the package (no CDN), while /v1 still needs the token', async () => {
    const page = await fetch(`${api.url}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const bundle = await fetch(`${api.url}/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
    expect((await fetch(`${api.url}/docs/json`)).status).toBe(200);
    expect((await fetch(`${api.url}/v1/campaigns`)).status).toBe(401);
  });
});
