import { describe, it, expect } from 'vitest';
import { LIMITS, NotificationSchema, recipientCount, type NotificationInput } from '../../src/neuxnet/notification.js';
import { ValidationError } from '../../src/shared/errors.js';
import { parseOrThrow } from '../../src/shared/zod-issues.js';

/** A valid notification by openId that opens a URL; each case changes one thing. */
const BASE = {
  rulesType: '3',
  openIds: ['u-1', 'u-2'],
  title: 'Order shipped',
  text: 'Your order 1042 is on its way',
  navigateType: '2',
  url: 'https://example.com/orders/1042',
} as const satisfies NotificationInput;

type Issue = [field: string, message: string];

/** Every issue of a failed parse, as [field, message], in order. */
function issuesOf(input: unknown): Issue[] {
  const result = NotificationSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.error.issues.map((i) => [i.path.join('.'), i.message]);
}

const withChanges = (changes: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...BASE };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
};

describe('NotificationSchema: each rule, failing', () => {
  const CODES = '"1", "2"';
  const cases: { rule: string; changes: Record<string, unknown>; issues: Issue[] }[] = [
    { rule: 'unknown fields', changes: { appid: 'x', sign: 'y' }, issues: [['', 'unknown field(s) appid, sign']] },
    { rule: 'title missing', changes: { title: undefined }, issues: [['title', 'is required']] },
    { rule: 'text missing', changes: { text: undefined }, issues: [['text', 'is required']] },
    { rule: 'navigateType missing', changes: { navigateType: undefined, url: undefined }, issues: [['navigateType', 'is required']] },
    { rule: 'title not a string', changes: { title: 42 }, issues: [['title', 'must be a string']] },
    { rule: 'empty title', changes: { title: '' }, issues: [['title', 'must not be empty']] },
    { rule: 'whitespace-only text', changes: { text: ' \t\n ' }, issues: [['text', 'must not be empty']] },
    { rule: 'empty link', changes: { link: '' }, issues: [['link', 'must not be empty']] },
    { rule: 'empty miniAppId', changes: { miniAppId: '  ' }, issues: [['miniAppId', 'must not be empty']] },
    { rule: 'title too long', changes: { title: 'x'.repeat(LIMITS.title + 1) }, issues: [['title', `must be at most ${LIMITS.title} characters`]] },
    { rule: 'text too long', changes: { text: 'x'.repeat(LIMITS.text + 1) }, issues: [['text', `must be at most ${LIMITS.text} characters`]] },
    { rule: 'link too long', changes: { link: 'x'.repeat(LIMITS.link + 1) }, issues: [['link', `must be at most ${LIMITS.link} characters`]] },
    {
      rule: 'miniAppId too long',
      changes: { miniAppId: 'x'.repeat(LIMITS.miniAppId + 1) },
      issues: [['miniAppId', `must be at most ${LIMITS.miniAppId} characters`]],
    },
    {
      rule: 'url too long',
      changes: { url: `https://example.com/${'x'.repeat(LIMITS.url)}` },
      issues: [['url', `must be at most ${LIMITS.url} characters`]],
    },
    { rule: 'language not in the enum', changes: { language: 'fr_FR' }, issues: [['language', 'must be one of en_US, ar_SA, zh_CN']] },
    { rule: 'language with a dash', changes: { language: 'en-US' }, issues: [['language', 'must be one of en_US, ar_SA, zh_CN']] },
    { rule: 'navigateType 3', changes: { navigateType: 3 }, issues: [['navigateType', `must be one of ${CODES}`]] },
    { rule: 'navigateType of another type', changes: { navigateType: true }, issues: [['navigateType', `must be one of ${CODES}`]] },
    { rule: 'rulesType 4', changes: { rulesType: '4' }, issues: [['rulesType', 'must be one of "1", "2", "3"']] },
    { rule: 'rulesType 1.5', changes: { rulesType: 1.5 }, issues: [['rulesType', 'must be one of "1", "2", "3"']] },
    { rule: 'notifyType 2', changes: { notifyType: 2 }, issues: [['notifyType', 'must be 1 (plain text, the only documented type)']] },
    { rule: 'notifyType "2"', changes: { notifyType: '2' }, issues: [['notifyType', 'must be 1 (plain text, the only documented type)']] },
    {
      rule: 'navigateType 1 without language',
      changes: { navigateType: '1', url: undefined },
      issues: [['language', 'is required when navigateType is 1 (open a Mini App)']],
    },
    {
      rule: 'navigateType 1 with a url',
      changes: { navigateType: 1, language: 'en_US' },
      issues: [['url', 'is only allowed when navigateType is 2']],
    },
    { rule: 'navigateType 2 without url', changes: { url: undefined }, issues: [['url', 'is required when navigateType is 2 (open a URL)']] },
    { rule: 'navigateType 2 with an ftp url', changes: { url: 'ftp://example.com/x' }, issues: [['url', 'must be an absolute http(s) URL']] },
    { rule: 'navigateType 2 with a relative url', changes: { url: '/orders/1042' }, issues: [['url', 'must be an absolute http(s) URL']] },
    {
      rule: 'rulesType 2 without countryCode and mobileNumber',
      changes: { rulesType: '2', openIds: undefined },
      issues: [
        ['countryCode', 'is required when rulesType is 2 (by phone number)'],
        ['mobileNumber', 'is required when rulesType is 2 (by phone number)'],
      ],
    },
    {
      rule: 'rulesType 2 without mobileNumber',
      changes: { rulesType: 2, openIds: undefined, countryCode: '+966' },
      issues: [['mobileNumber', 'is required when rulesType is 2 (by phone number)']],
    },
    {
      rule: 'rulesType 2 with openIds',
      changes: { rulesType: '2', countryCode: '+966', mobileNumber: '123456789' },
      issues: [['openIds', 'is only allowed when rulesType is 3 or absent (rulesType is 2)']],
    },
    {
      rule: 'countryCode without "+"',
      changes: { rulesType: '2', openIds: undefined, countryCode: '966', mobileNumber: '123456789' },
      issues: [['countryCode', 'must be "+" followed by 1 to 4 digits, e.g. "+966"']],
    },
    {
      rule: 'mobileNumber with a letter',
      changes: { rulesType: '2', openIds: undefined, countryCode: '+966', mobileNumber: '12345678a' },
      issues: [['mobileNumber', 'must be 4 to 15 digits']],
    },
    {
      rule: 'phone fields with rulesType 3',
      changes: { countryCode: '+966', mobileNumber: '123456789' },
      issues: [
        ['countryCode', 'is only allowed when rulesType is 2'],
        ['mobileNumber', 'is only allowed when rulesType is 2'],
      ],
    },
    {
      rule: 'rulesType 3 without openIds',
      changes: { openIds: undefined },
      issues: [['openIds', 'must be a non-empty list when rulesType is 3 (by openId)']],
    },
    { rule: 'rulesType 3 with no openIds', changes: { openIds: [] }, issues: [['openIds', 'must be a non-empty list when rulesType is 3 (by openId)']] },
    {
      rule: 'rulesType absent without openIds',
      changes: { rulesType: undefined, openIds: undefined },
      issues: [['openIds', 'must be a non-empty list when rulesType is absent (by openId)']],
    },
    {
      rule: 'rulesType 1 (everyone) with openIds',
      changes: { rulesType: '1' },
      issues: [['openIds', 'is only allowed when rulesType is 3 or absent (rulesType is 1)']],
    },
    { rule: 'openIds not an array', changes: { openIds: 'u-1,u-2' }, issues: [['openIds', 'must be an array of strings']] },
    {
      rule: 'an openId with a comma',
      changes: { openIds: ['u-1', 'u-2,u-3'] },
      issues: [['openIds.1', 'must not contain a comma or surrounding spaces (the API joins openIds with commas)']],
    },
    {
      rule: 'an openId with surrounding spaces',
      changes: { openIds: [' u-1'] },
      issues: [['openIds.0', 'must not contain a comma or surrounding spaces (the API joins openIds with commas)']],
    },
    { rule: 'an empty openId', changes: { openIds: ['u-1', ''] }, issues: [['openIds.1', 'must not be empty']] },
    {
      rule: 'an openId too long',
      changes: { openIds: ['x'.repeat(LIMITS.openId + 1)] },
      issues: [['openIds.0', `must be at most ${LIMITS.openId} characters`]],
    },
    {
      rule: 'too many openIds',
      changes: { openIds: Array.from({ length: LIMITS.openIdsPerSend + 1 }, (_, i) => `u-${i}`) },
      issues: [['openIds', `must have at most ${LIMITS.openIdsPerSend} items (use a campaign for more)`]],
    },
  ];

  it.each(cases)('$rule', ({ changes, issues }) => {
    expect(issuesOf(withChanges(changes))).toEqual(issues);
  });

  it.each([null, 'hello', 42, []])('refuses %j as a whole', (input) => {
    expect(issuesOf(input)).toEqual([['', 'must be an object']]);
  });

  it('reports field and cross-field issues together', () => {
    expect(issuesOf(withChanges({ title: '', navigateType: '1', url: undefined }))).toEqual([
      ['title', 'must not be empty'],
      ['language', 'is required when navigateType is 1 (open a Mini App)'],
    ]);
  });
});

describe('NotificationSchema: what it accepts and how it normalises', () => {
  it('accepts the bounds exactly', () => {
    const n = NotificationSchema.parse(
      withChanges({
        title: 'x'.repeat(LIMITS.title),
        text: 'x'.repeat(LIMITS.text),
        openIds: Array.from({ length: LIMITS.openIdsPerSend }, (_, i) => `u-${i}`),
      }),
    );
    expect(n.openIds).toHaveLength(LIMITS.openIdsPerSend);
  });

  it.each([
    { form: 'strings', input: { rulesType: '3', navigateType: '2' }, expected: { rulesType: '3', navigateType: '2' } },
    { form: 'numbers', input: { rulesType: 3, navigateType: 2 }, expected: { rulesType: '3', navigateType: '2' } },
  ])('accepts the numeric codes as $form and stores them as strings', ({ input, expected }) => {
    expect(NotificationSchema.parse(withChanges(input))).toMatchObject(expected);
  });

  it.each([
    { notifyType: 1, expected: 1 },
    { notifyType: '1', expected: 1 },
    { notifyType: undefined, expected: undefined },
  ])('notifyType $notifyType -> $expected (the wire adds the default, not the schema)', ({ notifyType, expected }) => {
    const n = NotificationSchema.parse(withChanges({ notifyType }));
    expect(n.notifyType).toBe(expected);
    expect('notifyType' in n).toBe(notifyType !== undefined);
  });

  it('does not default miniAppId: the appid is known only to the worker', () => {
    const n = NotificationSchema.parse({ openIds: ['u-1'], title: 'T', text: 'B', navigateType: '1', language: 'ar_SA' });
    expect(n).not.toHaveProperty('miniAppId');
    expect(n).toEqual({ openIds: ['u-1'], title: 'T', text: 'B', navigateType: '1', language: 'ar_SA' });
  });

  it('de-duplicates openIds, keeping first-seen order', () => {
    const n = NotificationSchema.parse(withChanges({ openIds: ['b', 'a', 'b', 'c', 'a'] }));
    expect(n.openIds).toEqual(['b', 'a', 'c']);
    expect(recipientCount(n)).toBe(3);
  });

  it('accepts a readonly list and leaves the caller\'s array alone', () => {
    const ids: readonly string[] = Object.freeze(['a', 'b', 'a']);
    const n = NotificationSchema.parse({ ...BASE, openIds: ids });
    expect(n.openIds).toEqual(['a', 'b']);
    expect(ids).toEqual(['a', 'b', 'a']);
  });

  it.each([
    { audience: 'everyone', changes: { rulesType: 1, openIds: undefined } },
    { audience: 'one phone', changes: { rulesType: '2', openIds: undefined, countryCode: '+966', mobileNumber: '501234567' } },
    { audience: 'openIds without rulesType (2024 page)', changes: { rulesType: undefined } },
  ])('accepts $audience', ({ changes }) => {
    const n = NotificationSchema.parse(withChanges(changes));
    expect(recipientCount(n)).toBe(n.openIds?.length ?? 1);
  });

  it('keeps only what the caller set', () => {
    expect(NotificationSchema.parse(BASE)).toEqual({ ...BASE, openIds: ['u-1', 'u-2'] });
  });
});

describe('parseOrThrow', () => {
  it('throws a ValidationError naming each field and its rule', () => {
    const bad = withChanges({ title: '', language: 'fr_FR', extra: 1 });
    let caught: unknown;
    try {
      parseOrThrow(NotificationSchema, bad, 'notification');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.name).toBe('ValidationError');
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.issues).toEqual([
      { field: 'title', rule: 'must not be empty' },
      { field: 'language', rule: 'must be one of en_US, ar_SA, zh_CN' },
      { field: '', rule: 'unknown field(s) extra' },
    ]);
    expect(error.message).toBe(
      'Invalid notification: title: must not be empty; language: must be one of en_US, ar_SA, zh_CN; unknown field(s) extra',
    );
  });

  it('names nested fields with a dotted path', () => {
    expect(() => parseOrThrow(NotificationSchema, withChanges({ openIds: ['ok', 'a,b'] }), 'notification')).toThrow(
      /^Invalid notification: openIds\.1: must not contain a comma/,
    );
  });

  it('returns the parsed value on success', () => {
    expect(parseOrThrow(NotificationSchema, withChanges({ rulesType: 3 }), 'notification').rulesType).toBe('3');
  });
});
