import type { Language, Notification } from './notification.js';

/** The Open API path of sendNotify; the base URL is configuration (production hosts are per customer). */
export const SEND_NOTIFY_PATH = '/neuopenapi/notify/sendNotify';

/**
 * The form fields sent for one notification: exactly what the caller set, plus the documented defaults
 * (notifyType 1; miniAppId = appid when navigateType is 1). Absent optional fields are left out entirely,
 * because the signature covers exactly what is sent. No `sign` yet: that is added at the moment of sending.
 * `defaultLanguage` is sent when the notification names none: the 2024 page requires `language` on every
 * request. Without it a notification without a language is sent without one (the 2023 contract).
 */
export function toWireParams(n: Notification, appid: string, timestamp: number, defaultLanguage?: Language): Record<string, string> {
  const p: Record<string, string> = {
    appid,
    timestamp: String(timestamp),
    notifyType: String(n.notifyType ?? 1),
  };
  if (n.rulesType !== undefined) p.rulesType = n.rulesType;
  if (n.countryCode !== undefined) p.countryCode = n.countryCode;
  if (n.mobileNumber !== undefined) p.mobileNumber = n.mobileNumber;
  if (n.openIds !== undefined) p.openIds = n.openIds.join(',');
  p.title = n.title;
  p.text = n.text;
  p.navigateType = n.navigateType;
  const miniAppId = n.miniAppId ?? (n.navigateType === '1' ? appid : undefined);
  if (miniAppId !== undefined) p.miniAppId = miniAppId;
  if (n.url !== undefined) p.url = n.url;
  if (n.link !== undefined) p.link = n.link;
  const language = n.language ?? defaultLanguage;
  if (language !== undefined) p.language = language;
  return p;
}
