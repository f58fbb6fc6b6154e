import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { freePort } from '../helpers/redis-server.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** This host's addresses other than 127.0.0.1 (link-local ones need a zone id, so they are left out). */
function otherAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.address !== '127.0.0.1' && !a.address.startsWith('fe80'))
    .map((a) => a!.address);
}

const urlOf = (address: string, port: number) => `http://${address.includes(':') ? `[${address}]` : address}:${port}/healthz`;

/** Whether /healthz answers at that address, or the connection is refused. */
async function answers(address: string, port: number): Promise<boolean> {
  try {
    return (await fetch(urlOf(address, port))).status === 200;
  } catch (error) {
    expect((error as { cause?: { code?: string } }).cause?.code, address).toBe('ECONNREFUSED');
    return false;
  }
}

describe('NEUPUSH_METRICS_HOST', () => {
  it('binds /metrics and health to the configured host only', async () => {
    const metricsPort = await freePort();
    pipeline = await startPipeline({ config: { metricsPort, metricsHost: '127.0.0.1' } });
    expect(pipeline.workers[0]?.metricsUrl).toBe(`http://127.0.0.1:${metricsPort}`);
    expect(await answers('127.0.0.1', metricsPort)).toBe(true);
    const others = otherAddresses();
    expect(others.length).toBeGreaterThan(0);
    for (const address of others) expect(await answers(address, metricsPort), address).toBe(false);
  });

  it('unset, listens on every interface, as before', async () => {
    const metricsPort = await freePort();
    pipeline = await startPipeline({ config: { metricsPort } });
    expect(await answers('127.0.0.1', metricsPort)).toBe(true);
    for (const address of otherAddresses()) expect(await answers(address, metricsPort), address).toBe(true);
  });
});
