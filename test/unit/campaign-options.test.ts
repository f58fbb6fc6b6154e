import { describe, expect, it } from 'vitest';
import { resolveCampaignSpec, type CreateCampaignOptions } from '../../src/producer/campaign-options.js';
import { ValidationError } from '../../src/shared/errors.js';
import { BrokenRule, toRecipient } from '../../src/shared/recipient.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;
const notification = { title: 'Sale', text: 'Half price today', navigateType: '1', language: 'en_US' } as const;
const base: CreateCampaignOptions = { notification, recipients: ['u1'] };

function issuesOf(options: unknown): string[] {
  try {
    resolveCampaignSpec(options as CreateCampaignOptions, NOW, HOUR);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.field}: ${i.rule}`);
    throw error;
  }
  return [];
}

describe('resolveCampaignSpec', () => {
  it('defaults: now, NEUPUSH_MAX_LATENESS, a generated id; the notification without openIds', () => {
    const spec = resolveCampaignSpec(base, NOW, HOUR);
    expect(spec.id).toMatch(/^cmp-[0-9a-f-]{36}$/);
    expect(spec.timing).toEqual({ kind: 'at', sendAt: NOW, deadline: NOW + HOUR });
    expect(spec.notification).toEqual({ title: 'Sale', text: 'Half price today', navigateType: '1', language: 'en_US' });
  });

  it('localTime with a default zone and expiresIn', () => {
    const spec = resolveCampaignSpec({ ...base, localTime: '09:30', defaultTimezone: 'Asia/Riyadh', expiresIn: '2h' }, NOW, HOUR);
    expect(spec.timing).toEqual({ kind: 'local', localTime: '09:30', defaultTimezone: 'Asia/Riyadh', windowMs: 2 * HOUR, now: NOW });
  });

  it('the fingerprint follows the options as given, so a resume with other options is caught', () => {
    const a = resolveCampaignSpec({ ...base, id: 'x' }, NOW, HOUR).fingerprint;
    expect(resolveCampaignSpec({ ...base, id: 'x', recipients: ['other'] }, NOW + 5_000, HOUR).fingerprint).toBe(a);
    expect(resolveCampaignSpec({ ...base, id: 'x', expiresIn: '2h' }, NOW, HOUR).fingerprint).not.toBe(a);
    // Canonical form: the same window written two ways is the same request.
    expect(resolveCampaignSpec({ ...base, id: 'x', expiresIn: '2h' }, NOW, HOUR).fingerprint).toBe(
      resolveCampaignSpec({ ...base, id: 'x', expiresIn: 7_200_000 }, NOW, HOUR).fingerprint,
    );
    expect(resolveCampaignSpec({ ...base, notification: { ...notification, text: 'Other' } }, NOW, HOUR).fingerprint).not.toBe(a);
  });

  it('translations are part of the spec and of the fingerprint; a dry run flag is not an unknown option', () => {
    const withAr = { ...notification, translations: { ar_SA: { title: 'تخفيضات', text: 'بنصف السعر' } } };
    const spec = resolveCampaignSpec({ ...base, id: 'x', notification: withAr, dryRun: true }, NOW, HOUR);
    expect(spec.translations).toEqual({ ar_SA: { title: 'تخفيضات', text: 'بنصف السعر' } });
    expect(spec.notification).not.toHaveProperty('translations');
    const other = { ...withAr, translations: { ar_SA: { title: 'تخفيضات', text: 'نص آخر' } } };
    expect(resolveCampaignSpec({ ...base, id: 'x', notification: other }, NOW, HOUR).fingerprint).not.toBe(spec.fingerprint);
    expect(resolveCampaignSpec({ ...base, id: 'x' }, NOW, HOUR).fingerprint).not.toBe(spec.fingerprint);
    expect(issuesOf({ ...base, notification: { ...notification, translations: {} } })).toEqual(['notification.translations: must name at least one language']);
    expect(issuesOf({ ...base, notification: { ...notification, translations: { en_US: { title: 'T', text: 'B' } } } })).toEqual([
      "notification.translations.en_US: is the notification's own language: its content is the notification's title and text",
    ]);
    expect(issuesOf({ ...base, dryRun: 'yes' })).toEqual(['dryRun: must be true or false']);
  });

  it('quiet hours and pacing are part of the timing, the fingerprint and the summary', () => {
    const spec = resolveCampaignSpec({ ...base, id: 'x', quietHours: { from: '22:00', to: '08:00' }, defaultTimezone: 'UTC', throttle: { perMinute: 500 } }, NOW, HOUR);
    expect(spec.timing).toEqual({ kind: 'at', sendAt: NOW, deadline: NOW + HOUR, defaultTimezone: 'UTC', quietHours: { from: '22:00', to: '08:00' }, perMinute: 500 });
    expect(spec.summary).toMatchObject({ quietHours: '22:00-08:00', throttle: 500, defaultTimezone: 'UTC' });
    expect(spec.origin).toBe(NOW);
    const plain = resolveCampaignSpec({ ...base, id: 'x' }, NOW, HOUR).fingerprint;
    expect(resolveCampaignSpec({ ...base, id: 'x', quietHours: { from: '22:00', to: '08:00' } }, NOW, HOUR).fingerprint).not.toBe(plain);
    expect(resolveCampaignSpec({ ...base, id: 'x', quietHours: { from: '22:00', to: '07:00' } }, NOW, HOUR).fingerprint).not.toBe(
      resolveCampaignSpec({ ...base, id: 'x', quietHours: { from: '22:00', to: '08:00' } }, NOW, HOUR).fingerprint,
    );
    expect(resolveCampaignSpec({ ...base, id: 'x', throttle: { perMinute: 10 } }, NOW, HOUR).fingerprint).not.toBe(plain);
  });

  const bad: { name: string; options: Record<string, unknown>; expected: string[] }[] = [
    { name: 'openIds in the notification', options: { ...base, notification: { ...notification, openIds: ['a'] } }, expected: ["notification.openIds: must be left out: a campaign's recipients supply the openIds"] },
    { name: 'rulesType 1 (everyone)', options: { ...base, notification: { ...notification, rulesType: 1 } }, expected: ['notification.rulesType: must be 3 (by openId) or absent in a campaign'] },
    { name: 'a notification rule', options: { ...base, notification: { ...notification, language: undefined } }, expected: ['notification.language: is required when navigateType is 1 (open a Mini App)'] },
    { name: 'sendAt with localTime', options: { ...base, sendAt: '2026-06-02T09:00:00Z', localTime: '09:00' }, expected: ['localTime: use either sendAt or localTime, not both'] },
    { name: 'localTime not HH:MM', options: { ...base, localTime: '9:00' }, expected: ['localTime: must be HH:MM on a 24-hour clock, e.g. 09:00'] },
    { name: 'localTime 24:00', options: { ...base, localTime: '24:00' }, expected: ['localTime: must be HH:MM on a 24-hour clock, e.g. 09:00'] },
    { name: 'unknown default zone', options: { ...base, localTime: '09:00', defaultTimezone: 'Mars/Olympus' }, expected: ['defaultTimezone: unknown time zone "Mars/Olympus"'] },
    { name: 'defaultTimezone without localTime', options: { ...base, defaultTimezone: 'UTC' }, expected: ['defaultTimezone: is only meaningful with localTime or quietHours'] },
    { name: 'quiet hours not HH:MM', options: { ...base, quietHours: { from: '22', to: '08:00' } }, expected: ['quietHours.from: must be HH:MM from 00:00 to 23:59, e.g. 22:00'] },
    { name: 'quiet hours 24:00', options: { ...base, quietHours: { from: '22:00', to: '24:00' } }, expected: ['quietHours.to: must be HH:MM from 00:00 to 23:59, e.g. 22:00'] },
    { name: 'quiet hours from == to', options: { ...base, quietHours: { from: '08:00', to: '08:00' } }, expected: ['quietHours.to: from and to must differ (an empty window, or the whole day)'] },
    { name: 'quiet hours as a string', options: { ...base, quietHours: '22:00-08:00' }, expected: ['quietHours: must be { from: "HH:MM", to: "HH:MM" }'] },
    { name: 'quiet hours with an unknown field', options: { ...base, quietHours: { from: '22:00', to: '08:00', zone: 'UTC' } }, expected: ['quietHours: unknown field(s) zone'] },
    { name: 'quiet hours with an unknown default zone', options: { ...base, quietHours: { from: '22:00', to: '08:00' }, defaultTimezone: 'Mars/Olympus' }, expected: ['defaultTimezone: unknown time zone "Mars/Olympus"'] },
    { name: 'throttle 0', options: { ...base, throttle: { perMinute: 0 } }, expected: ['throttle.perMinute: must be from 1 to 1,000,000'] },
    { name: 'throttle above a million', options: { ...base, throttle: { perMinute: 1_000_001 } }, expected: ['throttle.perMinute: must be from 1 to 1,000,000'] },
    { name: 'throttle not whole', options: { ...base, throttle: { perMinute: 1.5 } }, expected: ['throttle.perMinute: must be a whole number'] },
    { name: 'throttle as a number', options: { ...base, throttle: 100 }, expected: ['throttle: must be { perMinute: N }'] },
    { name: 'timezone with localTime', options: { ...base, localTime: '09:00', timezone: 'UTC' }, expected: ['timezone: goes with sendAt; with localTime use defaultTimezone'] },
    { name: 'sendAt already past its window', options: { ...base, sendAt: '2026-06-01T10:00:00Z' }, expected: ['sendAt: is already past its lateness window (deadline 2026-06-01T11:00:00.000Z is before now)'] },
    { name: 'an id with a colon', options: { ...base, id: 'spring:sale' }, expected: ['id: must be 1 to 100 letters, digits, _ . - (starting with a letter or digit)'] },
    { name: 'recipients that are not iterable', options: { ...base, recipients: 'u1' }, expected: ['recipients: must be an array, an iterable or an async iterable of openIds or { openId, timezone }'] },
    { name: 'an unknown option', options: { ...base, audience: 'all' }, expected: [': unknown option(s) audience'] },
  ];
  it.each(bad)('refuses $name, naming the field', ({ options, expected }) => {
    expect(issuesOf(options)).toEqual(expected);
  });
});

describe('toRecipient', () => {
  const cases: { input: unknown; expected: unknown }[] = [
    // A record that names only an openId is the bare string.
    { input: 'u1', expected: 'u1' },
    { input: { openId: 'u1', timezone: 'Asia/Riyadh' }, expected: { openId: 'u1', timezone: 'Asia/Riyadh' } },
    { input: { openId: 'u1' }, expected: 'u1' },
    { input: '', expected: new BrokenRule('openId must not be empty') },
    { input: ' u1', expected: new BrokenRule('openId must not contain a comma or surrounding spaces (the API joins openIds with commas)') },
    { input: 'a,b', expected: new BrokenRule('openId must not contain a comma or surrounding spaces (the API joins openIds with commas)') },
    { input: 'x'.repeat(129), expected: new BrokenRule('openId must be at most 128 characters') },
    { input: 42, expected: new BrokenRule('must be an openId string or { openId, timezone, language }') },
    { input: [{}, {}, {}], expected: new BrokenRule('must be an openId string or { openId, timezone, language }') },
    { input: {}, expected: new BrokenRule('must be an openId string or { openId, timezone, language }') },
    { input: { openId: 'u1', language: 'ar_SA' }, expected: { openId: 'u1', language: 'ar_SA' } },
    { input: { openId: 'u1', language: 'fr_FR' }, expected: new BrokenRule('language must be one of en_US, ar_SA, zh_CN') },
    { input: { openId: 'u1', timezone: 'Europe/Atlantis' }, expected: new BrokenRule('unknown time zone "Europe/Atlantis"') },
    { input: { openId: 'u1', tz: 'UTC' }, expected: new BrokenRule('unknown field "tz"; must be an openId string or { openId, timezone, language }') },
  ];
  it.each(cases)('$input', ({ input, expected }) => {
    expect(toRecipient(input)).toEqual(expected);
  });

  it('refuses expiresIn and sendAt beyond the one-year horizon, as send does', () => {
    expect(issuesOf({ ...base, expiresIn: 1e308 })).toEqual(['expiresIn: must be at most one year (365d)']);
    expect(issuesOf({ ...base, localTime: '09:00', defaultTimezone: 'UTC', expiresIn: '99999999999d' })).toEqual(['expiresIn: must be at most one year (365d)']);
    expect(issuesOf({ ...base, sendAt: '2028-01-01T00:00:00Z' })).toEqual(['sendAt: must be at most one year (365 days) from now']);
  });
});
