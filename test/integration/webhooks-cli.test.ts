import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { openWebhookDeadLetterQueue, openWebhookQueue } from '../../src/shared/queues.js';
import { webhookEvent } from '../../src/shared/webhook-events.js';
import { webhookJobId, webhookTarget, type WebhookDeadLetterData } from '../../src/shared/webhook-jobs.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';
import { useTestRedis } from '../helpers/test-redis.js';
import { runCli } from '../helpers/run-cli.js';

let prefix: string;
const redis = useTestRedis({ prefix: () => prefix });

describe('neupush webhooks', () => {
  it('list-failed shows a webhook dead letter; redrive queues it again under .r1 with the same webhook-id', async () => {
    prefix = testPrefix();
    const config = loadConfig({}, { redisUrl: redisUrl(), prefix });
    const { id, event } = webhookEvent('campaign.completed', 'cmp-1', { campaignId: 'cmp-1', recipients: 1, sent: 1, failed: 0, cancelled: 0, pending: 0 }, Date.now());
    const target = webhookTarget('https://app.example/hooks');
    const jobId = webhookJobId(id, target);
    const entry: WebhookDeadLetterData = {
      v: 1,
      reason: 'rejected',
      attempts: 1,
      lastHttpStatus: 401,
      lastError: 'HTTP 401 Unauthorized',
      jobId,
      webhook: { v: 1, webhookId: id, target, event },
      failedAt: Date.now(),
    };
    const deadLetters = openWebhookDeadLetterQueue(config, redis);
    const webhooks = openWebhookQueue(config, redis);
    try {
      await deadLetters.add('rejected', entry, { jobId });
      const env = { REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix };

      const listed = await runCli(['webhooks', 'list-failed', '--json'], env);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ id: jobId, reason: 'rejected', lastHttpStatus: 401, type: 'campaign.completed', webhookId: id, target }),
      ]);

      const none = await runCli(['webhooks', 'redrive'], env);
      expect([none.code, none.stderr]).toEqual([2, 'neupush: webhooks redrive: give either --all or one or more ids\n']);
      const bad = await runCli(['webhooks', 'redrive', 'x:y'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('ids.0: must be msg_');

      const redriven = await runCli(['webhooks', 'redrive', jobId, '--json'], env);
      expect([redriven.code, JSON.parse(redriven.stdout)]).toEqual([0, { redriven: 1, skipped: [] }]);
      const job = await webhooks.getJob(`${jobId}.r1`);
      expect(job?.data).toEqual({ v: 1, webhookId: id, target, event, redrives: 1 });
      expect(await deadLetters.count()).toBe(0);
      expect((await runCli(['webhooks', 'list-failed'], env)).stdout).toBe('no failed webhooks\n');
    } finally {
      await Promise.allSettled([deadLetters.close(), webhooks.close()]);
    }
  });
});
