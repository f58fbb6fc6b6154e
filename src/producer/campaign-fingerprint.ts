import { createHash } from 'node:crypto';
import type { ScalarCampaignOptions } from './campaign-options-schema.js';
import type { CampaignSpec } from './campaign-options.js';

/** The resolved parts of a campaign that shape its delivery. */
type Shaping = Pick<CampaignSpec, 'notification' | 'activity' | 'translations' | 'timing' | 'frequencyCap'>;

/**
 * Digest of what shapes delivery, in canonical form ("2h" and 7200000 are the same request): a resume must
 * match it. An absent sendAt or expiresIn means "at once" and "the configured lateness" on every run; the
 * chunk size is the first run's.
 */
export function campaignFingerprint(o: ScalarCampaignOptions, { notification, activity, translations, timing, frequencyCap }: Shaping): string {
  const shape = {
    notification,
    ...(activity !== undefined && { activity }),
    ...(translations !== undefined && { translations }),
    ...(o.sendAt !== undefined && timing.kind === 'at' && { sendAt: timing.sendAt }),
    ...(o.expiresIn !== undefined && { expiresMs: timing.kind === 'at' ? timing.deadline - timing.sendAt : timing.windowMs }),
    ...(timing.kind === 'local' && { localTime: timing.localTime }),
    ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }),
    ...(o.quietHours !== undefined && { quietHours: timing.quietHours }),
    ...(o.throttle !== undefined && { perMinute: o.throttle.perMinute }),
    // A cap given (or refused with false) is part of the request; an absent one is the deployment's on every run.
    ...(o.frequencyCap !== undefined && { frequencyCap: frequencyCap ?? false }),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 32);
}
