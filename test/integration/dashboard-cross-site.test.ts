import { describe, expect, it } from 'vitest';
import { DELIVERY_QUEUE } from '../../src/shared/queue-names.js';
import { dashboardPerTest } from '../helpers/dashboard.js';

const startBoard = dashboardPerTest();

const ADD = `api/queues/${DELIVERY_QUEUE}/add`;
const JOB = JSON.stringify({ name: 'notification', data: { v: 1 }, options: {} });

/** The headers Chromium sends with a fetch()/XHR from the board's own page. */
const ownPage = (url: string) => ({ origin: new URL(url).origin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' });

describe('dashboard: cross-site requests', () => {
  it('refuses a cross-site POST (a form or fetch from another site) with 403 and adds nothing', async () => {
    const board = await startBoard();
    const forged: Record<string, string>[] = [
      // The reported hole: no Content-Type at all, as a bare form or fetch can send.
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      { origin: 'https://evil.example', 'content-type': 'text/plain' },
      { origin: 'null', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
      { origin: 'http://other.localhost:3000', 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of forged) {
      const res = await board.call(ADD, { method: 'POST', headers, body: headers['content-type'] === 'application/json' ? JOB : 'name=x' });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/refused/);
    }
    const pause = await board.call(`api/queues/${DELIVERY_QUEUE}/pause`, { method: 'PUT', headers: { origin: 'https://evil.example' } });
    expect(pause.status).toBe(403);
    expect(await board.deliveries.count()).toBe(0);
    expect(await board.deliveries.isPaused()).toBe(false);
  });

  it('refuses a POST to the board API without a JSON content type, even from its own page or curl', async () => {
    const board = await startBoard();
    const unlabelled: Record<string, string>[] = [
      {},
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      ownPage(board.dashboard.url),
    ];
    for (const headers of unlabelled) {
      const res = await board.call(ADD, { method: 'POST', headers, body: 'name=x' });
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/^Content-Type must be application\/json, got /) });
    }
    const empty = await board.call(ADD, { method: 'POST' });
    expect(empty.status).toBe(415);
    expect(await board.deliveries.count()).toBe(0);
  });

  it("lets the board's own page (same origin, JSON) add and pause, and curl without Origin resume", async () => {
    const board = await startBoard();
    const own = ownPage(board.dashboard.url);
    const added = await board.call(ADD, { method: 'POST', headers: { ...own, 'content-type': 'application/json' }, body: JOB });
    expect(added.status).toBe(200);
    // axios sends a bodiless PUT without Content-Type.
    const paused = await board.call(`api/queues/${DELIVERY_QUEUE}/pause`, { method: 'PUT', headers: own });
    expect(paused.status).toBe(200);
    const resumed = await board.call(`api/queues/${DELIVERY_QUEUE}/resume`, { method: 'PUT' });
    expect(resumed.status).toBe(200);
    expect(await board.deliveries.count()).toBe(1);
    expect(await board.deliveries.isPaused()).toBe(false);
  });

  it('accepts an origin named in `origins` (a proxy that rewrites Host), and only that one', async () => {
    const board = await startBoard({ origins: ['https://dash.example.com'] });
    const headers = { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };
    const ok = await board.call(ADD, { method: 'POST', headers: { ...headers, origin: 'https://dash.example.com' }, body: JOB });
    expect(ok.status).toBe(200);
    const other = await board.call(ADD, { method: 'POST', headers: { ...headers, origin: 'https://dash.example.org' }, body: JOB });
    expect(other.status).toBe(403);
    expect(await board.deliveries.count()).toBe(1);
  });
});
