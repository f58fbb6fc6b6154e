import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Longer than Node's 5 s default: benchmark clients keep sockets idle between bursts, and a server closing
 * one just as the client reuses it shows up as a spurious ECONNRESET that is not the code under test.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export type BodyResult = { kind: 'body'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Collect the body up to `limit` bytes. Past the limit the rest is read and thrown away rather than cut
 * off: closing the socket on unread data makes the kernel send RST, and the client would never see the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? { kind: 'too-large' } : { kind: 'body', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('close', () => resolve({ kind: 'aborted' }));
  });
}

export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The sandbox's HTTP server and every socket it has open. `close()` destroys them all: server.close() waits
 * for every connection to end, and hung requests and idle keep-alive sockets never would.
 */
export class SandboxTransport {
  url = '';
  port = 0;
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  #closing: Promise<void> | undefined;

  constructor(
    handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
    onError: (res: ServerResponse, error: unknown) => void,
  ) {
    this.#server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (res.headersSent || res.destroyed) res.destroy();
        else onError(res, error);
      });
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.#server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    return this.#closing;
  }
}
