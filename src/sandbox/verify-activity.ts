import { ACTIVITY_LIMITS } from '../neuxnet/activity.js';
import { LANGUAGES, LIMITS } from '../neuxnet/notification.js';
import { has, reject, verifyCredentials, type Verdict, type VerifyContext } from './verify.js';

/** Every field the spec's sendActivity table marks required; `path` is the one optional field. */
export const ACTIVITY_REQUIRED_FIELDS = [
  'appid',
  'timestamp',
  'sign',
  'activityId',
  'openIds',
  'color',
  'templateId',
  'title',
  'text',
  'iconUrl',
  'status',
  'validityTime',
  'language',
] as const;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The content rules, in table order; the msg names the field. */
function contentProblem(p: Readonly<Record<string, string>>): string | undefined {
  const activityId = p.activityId as string;
  if (activityId.length > ACTIVITY_LIMITS.activityId) return `activityId longer than ${ACTIVITY_LIMITS.activityId} characters`;
  const openIds = (p.openIds as string).split(',');
  if (openIds.some((id) => id.length === 0 || id.length > LIMITS.openId)) return `openIds holds an empty id or one longer than ${LIMITS.openId}`;
  if (!/^[0-9A-Fa-f]{6}$/.test(p.color as string)) return `color "${p.color}" is not 6 hex digits`;
  if ((p.templateId as string).length > ACTIVITY_LIMITS.templateId) return `templateId longer than ${ACTIVITY_LIMITS.templateId} characters`;
  if ((p.title as string).length > LIMITS.title) return `title longer than ${LIMITS.title} characters`;
  if ((p.text as string).length > LIMITS.text) return `text longer than ${LIMITS.text} characters`;
  if ((p.iconUrl as string).length > LIMITS.url || !isHttpUrl(p.iconUrl as string)) return 'iconUrl is not an http(s) URL';
  if (has(p, 'path') && (p.path as string).length > ACTIVITY_LIMITS.path) return `path longer than ${ACTIVITY_LIMITS.path} characters`;
  if (p.status !== '0' && p.status !== '1') return `status "${p.status}" is not 0 or 1`;
  if (!/^\d+$/.test(p.validityTime as string)) return `validityTime "${p.validityTime}" is not a whole number of seconds`;
  const validity = Number(p.validityTime);
  if (p.status === '1' && validity < 1) return 'validityTime must be at least 1 second to show a card (status 1)';
  if (validity > ACTIVITY_LIMITS.validitySeconds) return `validityTime above ${ACTIVITY_LIMITS.validitySeconds} seconds`;
  if (!(LANGUAGES as readonly string[]).includes(p.language as string)) return `language "${p.language}" is not one of ${LANGUAGES.join(', ')}`;
  return undefined;
}

/**
 * Judge one decoded sendActivity body as the spec describes it: the same credentials and signature as
 * sendNotify, then every field of its table (all required whatever the status, `path` optional).
 */
export function verifyActivityRequest(params: Readonly<Record<string, string>>, ctx: VerifyContext): Verdict {
  const failed = verifyCredentials(params, ctx, ACTIVITY_REQUIRED_FIELDS);
  if (failed) return failed;
  const problem = contentProblem(params);
  if (problem !== undefined) return reject(400, problem);
  return { ok: true, openIds: (params.openIds as string).split(',') };
}
