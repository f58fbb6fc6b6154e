import { NotificationSchema, type Notification } from '../neuxnet/notification.js';
import type { FieldIssue } from '../shared/errors.js';
import { toFieldIssues } from '../shared/zod-issues.js';

/** The notification every chunk shares; `openIds` come from the recipients, so it must not carry its own. */
export function parseCampaignNotification(input: unknown, issues: FieldIssue[]): Omit<Notification, 'openIds'> | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    issues.push({ field: 'notification', rule: 'must be an object' });
    return undefined;
  }
  const n = input as Record<string, unknown>;
  if (n.openIds !== undefined) {
    issues.push({ field: 'notification.openIds', rule: "must be left out: a campaign's recipients supply the openIds" });
    return undefined;
  }
  if (n.rulesType !== undefined && String(n.rulesType) !== '3') {
    issues.push({ field: 'notification.rulesType', rule: 'must be 3 (by openId) or absent in a campaign' });
    return undefined;
  }
  // A placeholder recipient lets the one schema check every other rule, cross-field ones included.
  const parsed = NotificationSchema.safeParse({ ...n, openIds: ['placeholder'] });
  if (!parsed.success) {
    issues.push(...toFieldIssues(parsed.error, ['notification']));
    return undefined;
  }
  const { openIds: _placeholder, ...rest } = parsed.data;
  return rest;
}
