/**
 * A producer that creates a campaign and never finishes: it reads CAMPAIGN_STALL_AT recipients of the
 * audience in campaign-audience.ts, prints each progress report as a JSON line, then waits for its kill
 * (the crash under test). Env: REDIS_URL, NEUPUSH_PREFIX, CAMPAIGN_ID, CAMPAIGN_SIZE, CAMPAIGN_STALL_AT,
 * CAMPAIGN_LEASE_MS, CAMPAIGN_SEND_AT.
 */
import { createCampaign } from '../../src/producer/campaign-create.js';
import { Producer } from '../../src/producer/producer.js';
import { campaignAudience, CAMPAIGN_NOTE } from './campaign-audience.js';

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} must be set`);
  return value;
};

const producer = await Producer.create({ config: { redisUrl: env('REDIS_URL'), prefix: env('NEUPUSH_PREFIX') }, env: {} });
const stallAt = Number(env('CAMPAIGN_STALL_AT'));
async function* stalling() {
  let n = 0;
  for (const r of campaignAudience(Number(env('CAMPAIGN_SIZE')))) {
    if (n++ === stallAt) await new Promise(() => {});
    yield r;
  }
}
await createCampaign(
  { config: producer.config, redis: producer.redis, deliveries: producer.deliveries, leaseMs: Number(env('CAMPAIGN_LEASE_MS')) },
  {
    id: env('CAMPAIGN_ID'),
    notification: CAMPAIGN_NOTE,
    recipients: stalling(),
    sendAt: env('CAMPAIGN_SEND_AT'),
    onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
  },
);
