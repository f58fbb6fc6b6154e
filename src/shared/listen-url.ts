import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/**
 * The URL at which a server listening on `host` can be reached from this machine: a wildcard bind
 * (unset, 0.0.0.0 or ::) is shown as 127.0.0.1, which a browser or curl can open.
 */
export function listenUrl(server: Server, host: string | undefined, path = ''): string {
  const { port } = server.address() as AddressInfo;
  const shown = host === undefined || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown}:${port}${path}`;
}
