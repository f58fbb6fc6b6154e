import { planCampaign, type CampaignPlan } from '../producer/campaign-dry-run.js';
import type { CreateCampaignOptions } from '../producer/campaign-options.js';
import type { Config } from '../shared/config.js';
import { closeRedis, connectRedis, waitForRedis } from '../shared/redis.js';

/** `1 request`, `2 requests`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function planText(plan: CampaignPlan): string {
  const lines = [
    `dry run: campaign ${plan.id ?? '(new id)'} would queue ${count(plan.recipients, 'recipient')} (${count(plan.read, 'record')} read) in ${count(plan.requests, 'request')}`,
    ...Object.entries(plan.byLanguage).map(([language, l]) => `  ${language}: ${count(l.recipients, 'recipient')} in ${count(l.requests, 'request')}`),
    plan.sendTimes.distinct === 1
      ? `  due ${plan.sendTimes.first}`
      : `  due ${plan.sendTimes.first} to ${plan.sendTimes.last} (${plan.sendTimes.distinct} distinct send times)`,
    ...(plan.heldByQuietHours !== undefined ? [`  moved by quiet hours: ${count(plan.heldByQuietHours, 'recipient')}`] : []),
    ...(plan.expectedFinishAt !== undefined ? [`  expected finish ${plan.expectedFinishAt}`] : []),
    'nothing was written',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `campaign create --dry-run`: the library's dry run, without opening a Producer (its queues write their
 * own keys when opened). Redis is read only for an `--id`, to refuse a different request as a create would.
 */
export async function printDryRun(config: Readonly<Config>, options: CreateCampaignOptions, json: boolean): Promise<void> {
  const redis = options.id === undefined ? undefined : connectRedis(config, 'producer');
  try {
    if (redis) {
      redis.on('error', () => {});
      await waitForRedis(redis);
    }
    const plan = await planCampaign({ config, ...(redis && { redis }) }, options);
    process.stdout.write(json ? `${JSON.stringify(plan)}\n` : planText(plan));
  } finally {
    if (redis) await closeRedis(redis);
  }
}
