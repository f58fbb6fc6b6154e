import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, createPostClient, targetUnder, type PostAnswer, type PostClient, type PostFailure } from '../../src/neuxnet/post-client.js';
import { freePort } from '../../src/shared/free-port.js';

/** What each request looked like on arrival, and a server that answers through `handle`. */
interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function serve(handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), socket: req.socket };
      seen.push(s);
      handle(req, res, s);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push({
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function client(timeoutMs = 2_000, maxSockets = 4, headers: Record<string, string> = { 'content-type': 'text/plain' }): PostClient {
  const c = createPostClient({ timeoutMs, maxSockets, headers });
  open.push(c);
  return c;
}

function answered(a: PostAnswer | PostFailure): PostAnswer {
  if ('networkError' in a) throw new Error(`expected an answer, got ${a.networkError}`);
  return a;
}

describe('the POST transport (undici)', () => {
  it('posts the body with the client headers and the call headers, and reads status, reason, headers and body', async () => {
    const server = await serve((_req, res) => {
      res.statusMessage = 'Quite Slow Down';
      res.setHeader('retry-after', '7');
      res.setHeader('x-twice', ['a', 'b']);
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"code":"0"}');
    });
    const answer = answered(await client().post(new URL(`${server.url}/hook?x=1`), 'hello', { 'x-extra': 'yes' }));
    expect(answer).toMatchObject({ statusCode: 429, statusMessage: 'Quite Slow Down', body: '{"code":"0"}' });
    expect(answer.header('retry-after')).toBe('7');
    expect(answer.header('content-type')).toBe('application/json');
    expect(answer.header('x-twice')).toBe('a, b');
    expect(answer.header('date')).toMatch(/GMT$/);
    expect(answer.header('absent')).toBeUndefined();
    const [req] = server.seen;
    expect(req).toMatchObject({ method: 'POST', url: '/hook?x=1', body: 'hello' });
    expect(req?.headers).toMatchObject({ 'content-type': 'text/plain', 'x-extra': 'yes', 'content-length': '5' });
  });

  it('keeps a base URL path: the Open API may sit under a gateway prefix', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const target = targetUnder(`${server.url}/gw/v1/`, '/neuopenapi/notify/sendNotify');
    expect(target.path).toBe('/gw/v1/neuopenapi/notify/sendNotify');
    expect(answered(await client().post(target, 'x')).body).toBe('ok');
    expect(server.seen[0]?.url).toBe('/gw/v1/neuopenapi/notify/sendNotify');
    expect(targetUnder(server.url, 'a/b').path).toBe('/a/b');
  });

  it('keeps sockets alive: calls in a row reuse one connection', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const c = client(2_000, 1);
    for (let i = 0; i < 5; i++) answered(await c.post(new URL(server.url), String(i)));
    expect(new Set(server.seen.map((s) => s.socket)).size).toBe(1);
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(301, { location: '/elsewhere' });
      res.end();
    });
    expect(answered(await client().post(new URL(server.url), 'x')).statusCode).toBe(301);
    expect(server.seen).toHaveLength(1);
  });

  it('times out a hung call as ETIMEDOUT (request timeout), and the socket it held is given up', async () => {
    const server = await serve(() => {});
    const started = Date.now();
    expect(await client(300).post(new URL(server.url), 'x')).toEqual({ networkError: 'ETIMEDOUT (request timeout)' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    const socket = server.seen[0]?.socket;
    if (socket && !socket.destroyed) await once(socket, 'close');
  });

  it('counts a wait for a free socket in the timeout: one timer from the moment the call is asked for', async () => {
    let first = true;
    const server = await serve((_req, res) => {
      if (!first) return void res.end('late');
      first = false;
      // The only socket is held for longer than the second call may take in all.
      setTimeout(() => res.end('first'), 800);
    });
    const c = client(300, 1);
    const holding = c.post(new URL(server.url), 'a');
    const waiting = await c.post(new URL(server.url), 'b');
    expect(waiting).toEqual({ networkError: 'ETIMEDOUT (request timeout)' });
    // The first call timed out too, and the second never reached the server.
    expect(await holding).toEqual({ networkError: 'ETIMEDOUT (request timeout)' });
    expect(server.seen.map((s) => s.body)).toEqual(['a']);
  });

  it(`cuts off an answer over ${MAX_ANSWER_BYTES} bytes instead of holding it`, async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const more = () => {
        while (sent <= MAX_ANSWER_BYTES * 2) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    expect(await client().post(new URL(server.url), 'x')).toEqual({ networkError: `EMSGSIZE (answer over ${MAX_ANSWER_BYTES} bytes)` });
  });

  it('answers a refused connection with its code, never its message', async () => {
    const port = await freePort();
    expect(await client().post(new URL(`http://127.0.0.1:${port}/x`), 'x')).toEqual({ networkError: 'ECONNREFUSED' });
  });

  it('answers a connection the server drops mid-call as a network failure', async () => {
    const server = await serve((req) => req.socket.destroy());
    const answer = await client().post(new URL(server.url), 'x');
    expect(answer).toHaveProperty('networkError');
    expect((answer as PostFailure).networkError).toMatch(/^[A-Z_]+$/);
  });

  it('ends calls in flight as network failures when closed', async () => {
    const server = await serve(() => {});
    const c = client(5_000);
    const pending = c.post(new URL(server.url), 'x');
    await new Promise<void>((resolve) => {
      const check = () => (server.seen.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    c.close();
    expect(await pending).toHaveProperty('networkError');
  });

  it('rejects a malformed call (a header value with a line break) instead of calling it a network failure', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    await expect(client().post(new URL(server.url), 'x', { 'x-bad': 'a\r\nb' })).rejects.toThrow();
    expect(server.seen).toHaveLength(0);
  });
});
