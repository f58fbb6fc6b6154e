import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createCsrf, CSRF_FIELD, CSRF_HEADER } from '../../src/dashboard/csrf.js';
import { acceptFormPosts } from '../../src/dashboard/form-body.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('CSRF tokens for console forms', () => {
  it('verifies a token only for its subject, within its age, and refuses tampering', () => {
    let clock = 1_000_000;
    const csrf = createCsrf({ now: () => clock, maxAgeMs: 60_000 });
    const token = csrf.token('ops');
    expect(csrf.verify('ops', token)).toBe(true);
    expect(csrf.verify('root', token)).toBe(false);
    expect(csrf.verify('ops', `${token}x`)).toBe(false);
    expect(csrf.verify('ops', token.replace(/^[^.]+/, (clock + 1).toString(36)))).toBe(false);
    for (const bad of [undefined, '', '.', 'abc', 42, ['x']]) expect(csrf.verify('ops', bad)).toBe(false);
    expect(createCsrf().verify('ops', token)).toBe(false);
    clock += 60_001;
    expect(csrf.verify('ops', token)).toBe(false);
  });

  it('renders a hidden form field holding a valid token', () => {
    const csrf = createCsrf();
    const field = csrf.hiddenField('ops');
    const value = /^<input type="hidden" name="_csrf" value="([0-9a-z]+\.[A-Za-z0-9_-]+)">$/.exec(field)?.[1];
    expect(csrf.verify('ops', value)).toBe(true);
  });

  it('its preHandler refuses a form post without a valid token (403) and lets a valid one through, over HTTP', async () => {
    const csrf = createCsrf();
    let cancelled = 0;
    app = Fastify();
    acceptFormPosts(app);
    const user = (request: { headers: Record<string, unknown> }) => (request.headers['x-user'] as string | undefined) ?? undefined;
    app.get('/console/form', async (request, reply) => reply.type('text/html').send(`<form method="post">${csrf.hiddenField(user(request) ?? '')}</form>`));
    app.post('/console/cancel', { preHandler: csrf.preHandler(user) }, async () => {
      cancelled++;
      return { ok: true };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-user': 'ops' };

    const page = await (await fetch(`${url}/console/form`, { headers: { 'x-user': 'ops' } })).text();
    const token = /value="([^"]+)"/.exec(page)?.[1] ?? '';
    const refused = [
      await fetch(`${url}/console/cancel`, { method: 'POST', headers: form, body: 'campaign=c1' }),
      await fetch(`${url}/console/cancel`, { method: 'POST', headers: form, body: `campaign=c1&${CSRF_FIELD}=forged.abc` }),
      await fetch(`${url}/console/cancel`, { method: 'POST', headers: { ...form, 'x-user': 'eve' }, body: `${CSRF_FIELD}=${token}` }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'missing or invalid CSRF token: reload the page and try again' });
    }
    expect(cancelled).toBe(0);

    const accepted = await fetch(`${url}/console/cancel`, { method: 'POST', headers: form, body: `campaign=c1&${CSRF_FIELD}=${encodeURIComponent(token)}` });
    expect(accepted.status).toBe(200);
    const byHeader = await fetch(`${url}/console/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': 'ops', [CSRF_HEADER]: token },
      body: '{}',
    });
    expect(byHeader.status).toBe(200);
    expect(cancelled).toBe(2);
  });
});
