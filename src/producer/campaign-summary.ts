import type { CampaignOptionsSummary } from '../shared/campaign-status.js';
import { formatCap, type FrequencyCap } from '../shared/frequency-cap.js';
import type { ScalarCampaignOptions } from './campaign-options-schema.js';

/** What `getCampaign` shows of the options: those given, as given (a Date as its ISO string), and the cap. */
export function campaignSummary(o: ScalarCampaignOptions, title: string, frequencyCap: FrequencyCap | undefined): CampaignOptionsSummary {
  return {
    title,
    ...(o.sendAt !== undefined && { sendAt: o.sendAt instanceof Date ? o.sendAt.toISOString() : o.sendAt }),
    ...(o.timezone !== undefined && { timezone: o.timezone }),
    ...(o.localTime !== undefined && { localTime: o.localTime }),
    ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }),
    ...(o.expiresIn !== undefined && { expiresIn: String(o.expiresIn) }),
    ...(o.quietHours !== undefined && { quietHours: `${o.quietHours.from}-${o.quietHours.to}` }),
    ...(o.throttle !== undefined && { throttle: o.throttle.perMinute }),
    ...(frequencyCap !== undefined && { frequencyCap: formatCap(frequencyCap) }),
  };
}
