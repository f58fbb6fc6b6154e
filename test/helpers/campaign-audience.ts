import type { CampaignStatus } from '../../src/shared/campaign-status.js';
import { waitUntil } from './isolation.js';
import type { Pipeline } from './pipeline.js';

/** The notification and audience of campaign tests (also those that run in two processes, the second resuming). */
export const CAMPAIGN_NOTE = { title: 'Spring sale', text: 'Everything half price today', navigateType: '1', language: 'en_US' } as const;

/** The same campaign notification with an Arabic translation. */
export const BILINGUAL_NOTE = {
  ...CAMPAIGN_NOTE,
  translations: { ar_SA: { title: 'تخفيضات الربيع', text: 'كل شيء بنصف السعر اليوم' } },
} as const;

/** The campaign's status once it is fully queued and every recipient has an outcome (nothing pending). */
export async function settledCampaign(p: Pipeline, id: string, timeoutMs = 30_000): Promise<CampaignStatus> {
  let status: CampaignStatus | undefined;
  await waitUntil(
    async () => {
      status = await p.producer.getCampaign(id);
      return status !== undefined && status.enqueued && status.pending === 0 && status.state !== 'sending' && status.state !== 'scheduled';
    },
    { timeoutMs, intervalMs: 50, message: `campaign ${id} to settle` },
  );
  return status as CampaignStatus;
}

/** `n` records, about one in ten repeating an earlier openId, some with a zone: the same on every call. */
export function* campaignAudience(n: number): Generator<string | { openId: string; timezone: string }> {
  for (let i = 0; i < n; i++) {
    const id = i % 10 === 9 ? `a${Math.floor(i / 2)}` : `a${i}`;
    yield i % 3 === 0 ? { openId: id, timezone: 'Asia/Riyadh' } : id;
  }
}
