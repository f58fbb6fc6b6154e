import { ValidationError, type FieldIssue } from '../shared/errors.js';
import { isValidTimeZone } from '../shared/time.js';
import type { ScalarCampaignOptions } from './campaign-options-schema.js';
import type { CampaignTiming } from './campaign-options.js';
import { parseExpiresIn } from './horizon.js';
import { resolveTiming } from './send-options.js';

/**
 * When a campaign's deliveries go out, before quiet hours and pacing are added: a wall-clock `localTime`
 * per recipient zone, else one instant (`sendAt`, or now) with its deadline. Problems go to `issues`;
 * undefined when the instant could not be resolved.
 */
export function resolveCampaignTiming(o: ScalarCampaignOptions, now: number, maxLatenessMs: number, issues: FieldIssue[]): CampaignTiming | undefined {
  if (o.localTime !== undefined) {
    if (o.sendAt !== undefined) issues.push({ field: 'localTime', rule: 'use either sendAt or localTime, not both' });
    if (o.timezone !== undefined) issues.push({ field: 'timezone', rule: 'goes with sendAt; with localTime use defaultTimezone' });
    if (o.defaultTimezone !== undefined && !isValidTimeZone(o.defaultTimezone)) {
      issues.push({ field: 'defaultTimezone', rule: `unknown time zone "${o.defaultTimezone}"` });
    }
    const windowMs = (o.expiresIn === undefined ? undefined : parseExpiresIn(o.expiresIn, issues)) ?? maxLatenessMs;
    return { kind: 'local', localTime: o.localTime, windowMs, now, ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }) };
  }
  if (o.defaultTimezone !== undefined && o.quietHours === undefined) {
    issues.push({ field: 'defaultTimezone', rule: 'is only meaningful with localTime or quietHours' });
  } else if (o.defaultTimezone !== undefined && !isValidTimeZone(o.defaultTimezone)) {
    issues.push({ field: 'defaultTimezone', rule: `unknown time zone "${o.defaultTimezone}"` });
  }
  try {
    const t = resolveTiming(
      {
        ...(o.sendAt !== undefined && { sendAt: o.sendAt }),
        ...(o.timezone !== undefined && { timezone: o.timezone }),
        ...(o.expiresIn !== undefined && { expiresIn: o.expiresIn }),
      },
      now,
      maxLatenessMs,
    );
    return { kind: 'at', sendAt: t.sendAt, deadline: t.deadline, ...(o.defaultTimezone !== undefined && { defaultTimezone: o.defaultTimezone }) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}
