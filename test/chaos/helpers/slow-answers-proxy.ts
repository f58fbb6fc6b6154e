import net, { type AddressInfo, type Socket } from 'node:net';

export interface SlowAnswersProxy {
  url: string;
  /** Requests the platform has received whose answer has not yet reached the client. */
  inFlight(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of the sandbox that passes requests through at once and holds each answer for
 * `delayMs`. The platform has then accepted a request while its worker still waits for the answer: the
 * window in which a crash leaves an accepted but unrecorded delivery, widened so a kill -9 lands in it.
 * (Without it the sandbox, like most servers, drops a request whose client vanished before the answer,
 * which would hide the duplicates a real platform could produce.)
 */
export async function startSlowAnswersProxy(target: { host: string; port: number }, delayMs: number): Promise<SlowAnswersProxy> {
  /** Per client connection: requests passed on whose answer it has not been given yet. */
  const pending = new Map<Socket, number>();
  const sockets = new Set<Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    pending.set(client, 0);
    client.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 5).toString() === 'POST ') pending.set(client, (pending.get(client) ?? 0) + 1);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const isAnswer = chunk.subarray(0, 5).toString() === 'HTTP/';
      setTimeout(() => {
        if (client.destroyed) return;
        if (isAnswer) pending.set(client, (pending.get(client) ?? 1) - 1);
        client.write(chunk);
      }, delayMs);
    });
    client.on('close', () => {
      pending.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inFlight: () => [...pending.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
