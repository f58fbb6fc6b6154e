import { ActivityCardSchema, type ActivityCardInput, type ActivityContent } from '../neuxnet/activity.js';
import type { Notification } from '../neuxnet/notification.js';
import type { FieldIssue } from '../shared/errors.js';
import { IDS, idIssue } from '../shared/ids.js';
import { resolveInstant } from '../shared/time.js';
import { toFieldIssues } from '../shared/zod-issues.js';

/** An activity card as a campaign takes it: without `openIds` (the recipients supply them). */
export type CampaignActivityInput = Omit<ActivityCardInput, 'openIds'>;

/** What every chunk of an activity campaign shows: one activityId for the whole audience. */
export interface CampaignActivity {
  activityId: string;
  content: ActivityContent;
  validityTime?: number;
  until?: number;
}

/**
 * Check a campaign's `activity` card and its validity (`validityTime` seconds, or `until`). The activityId is
 * the card's, or the campaign id (deterministic, so a resume names the same card).
 */
export function parseCampaignActivity(
  input: unknown,
  validity: { validityTime?: number | undefined; until?: Date | string | undefined },
  campaignId: string | undefined,
  issues: FieldIssue[],
): CampaignActivity | undefined {
  const before = issues.length;
  if (input !== null && typeof input === 'object' && (input as { openIds?: unknown }).openIds !== undefined) {
    issues.push({ field: 'activity.openIds', rule: "must be left out: a campaign's recipients supply the openIds" });
  }
  const parsed = ActivityCardSchema.safeParse(input);
  if (!parsed.success) issues.push(...toFieldIssues(parsed.error, ['activity']));
  if (validity.validityTime === undefined && validity.until === undefined) {
    issues.push({ field: 'validityTime', rule: 'is required with activity, unless until is given (one of the two)' });
  }
  if (validity.validityTime !== undefined && validity.until !== undefined) issues.push({ field: 'until', rule: 'use either validityTime or until, not both' });
  if (validity.validityTime !== undefined && (!Number.isInteger(validity.validityTime) || validity.validityTime < 1)) {
    issues.push({ field: 'validityTime', rule: 'must be a whole number of seconds, at least 1' });
  }
  let until: number | undefined;
  if (validity.until !== undefined) {
    const r = resolveInstant(validity.until);
    if (r.ok) until = r.ms;
    else issues.push({ field: 'until', rule: r.rule });
  }
  if (!parsed.success || issues.length > before) return undefined;
  const { activityId: given, openIds: _none, ...content } = parsed.data;
  const activityId = given ?? campaignId;
  if (activityId === undefined) return undefined;
  const idProblem = idIssue(IDS.activity, activityId, 'activity.activityId');
  if (idProblem) {
    issues.push(idProblem);
    return undefined;
  }
  return {
    activityId,
    content,
    ...(validity.validityTime !== undefined && { validityTime: validity.validityTime }),
    ...(until !== undefined && { until }),
  };
}

/** What the campaign's record shows as its content: the card's title, text and language. */
export function activitySummary(a: CampaignActivity): Omit<Notification, 'openIds'> {
  return { title: a.content.title, text: a.content.text, navigateType: '1', language: a.content.language };
}
