import { LANGUAGES } from '../neuxnet/notification.js';
import { describeIssues } from '../shared/errors.js';
import { jobSchemaFor, type ActivityJobData, type DeliveryJobData, type NotificationJobData } from '../shared/job-data.js';
import { ID_PATTERN } from '../shared/ids.js';
import { toFieldIssues } from '../shared/zod-issues.js';
import { allDistinct } from '../shared/distinct-ids.js';

export type JobDataCheck = { ok: true; data: DeliveryJobData } | { ok: false; why: string };

type Fields = Record<string, unknown>;

const isRecord = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isOptionalText = (v: unknown) => v === undefined || isText(v);
const isCount = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;

/**
 * The API joins openIds with commas: one with a comma in it would name other recipients. A repeated one
 * goes to the schema, which sends it once (a campaign chunk can hold a repeat).
 */
function isOpenIdList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const id of v as unknown[]) if (!isText(id) || id.includes(',')) return false;
  return allDistinct(v as string[]);
}

/** Every notification field the wire reads, in the normalised form the producer stores. */
function isStoredNotification(n: unknown): boolean {
  return (
    isRecord(n) &&
    isText(n.title) &&
    isText(n.text) &&
    (n.navigateType === '1' || n.navigateType === '2') &&
    (n.notifyType === undefined || n.notifyType === 1) &&
    (n.rulesType === undefined || n.rulesType === '1' || n.rulesType === '2' || n.rulesType === '3') &&
    (n.openIds === undefined || isOpenIdList(n.openIds)) &&
    (n.language === undefined || (LANGUAGES as readonly unknown[]).includes(n.language)) &&
    isOptionalText(n.countryCode) &&
    isOptionalText(n.mobileNumber) &&
    isOptionalText(n.miniAppId) &&
    isOptionalText(n.url) &&
    isOptionalText(n.link)
  );
}

/** The fields every kind of delivery job shares. */
function isStoredBase(d: Fields): boolean {
  return (
    d.v === 1 &&
    isText(d.deliveryKey) &&
    Number.isInteger(d.sendAt) &&
    Number.isInteger(d.deadline) &&
    isOptionalText(d.campaignId) &&
    (d.redrives === undefined || isCount(d.redrives, 0)) &&
    (d.traceparent === undefined || typeof d.traceparent === 'string') &&
    (d.chunk === undefined || (isRecord(d.chunk) && isCount(d.chunk.index, 0) && isCount(d.chunk.count, 1)))
  );
}

function isStoredNotificationJob(d: Fields): d is NotificationJobData {
  return (
    (d.kind === undefined || d.kind === 'notification') &&
    isText(d.notificationId) &&
    isStoredBase(d) &&
    (d.frequencyCap === undefined || (isRecord(d.frequencyCap) && isCount(d.frequencyCap.max, 1) && isCount(d.frequencyCap.perMs, 1))) &&
    isStoredNotification(d.notification)
  );
}

const isOptionalInstant = (v: unknown) => v === undefined || Number.isInteger(v);

/** An activity card's fields as the wire reads them; the id is checked against its pattern, as it enters keys. */
function isStoredActivity(a: unknown): boolean {
  return (
    isRecord(a) &&
    typeof a.activityId === 'string' &&
    ID_PATTERN.test(a.activityId) &&
    (a.status === 0 || a.status === 1) &&
    isOpenIdList(a.openIds) &&
    (a.openIds as unknown[]).length > 0 &&
    isText(a.title) &&
    isText(a.text) &&
    typeof a.color === 'string' &&
    /^[0-9A-Fa-f]{6}$/.test(a.color) &&
    isText(a.templateId) &&
    isText(a.iconUrl) &&
    isOptionalText(a.path) &&
    (LANGUAGES as readonly unknown[]).includes(a.language) &&
    (a.validityTime === undefined || isCount(a.validityTime, 1)) &&
    isOptionalInstant(a.until) &&
    isOptionalInstant(a.removeAt) &&
    isOptionalInstant(a.since) &&
    // A show needs a validity; the schema says which field when neither is there.
    (a.status === 0 || a.validityTime !== undefined || a.until !== undefined)
  );
}

function isStoredActivityJob(d: Fields): d is ActivityJobData {
  return d.kind === 'activity' && isStoredBase(d) && isStoredActivity(d.activity);
}

function isStoredDeliveryJob(d: unknown): d is DeliveryJobData {
  return isRecord(d) && (isStoredNotificationJob(d) || isStoredActivityJob(d));
}

/**
 * Job data as the worker picks it up. The producer validated it fully on the way in; here the worker checks,
 * by hand, the type and form of every field it and the wire read, on every delivery: a few µs against
 * zod's 40 or more for 100 openIds. Data that fails is given to the full schema: what the schema can still
 * read (a hand-edited job with `navigateType: 1`) is used as the schema reads it, and what it cannot is
 * refused with the field and the rule, to be dead-lettered `invalid`. Content rules (lengths, URL syntax,
 * the cross-field rules) are the producer's: a job that breaks only those is sent, and the platform answers.
 */
export function checkJobData(raw: unknown): JobDataCheck {
  if (isStoredDeliveryJob(raw)) return { ok: true, data: raw };
  const parsed = jobSchemaFor(raw).safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, why: `job data fails the schema: ${describeIssues(toFieldIssues(parsed.error))}` };
}
