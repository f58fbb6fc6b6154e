import { describe, expect, it } from 'vitest';
import { NotificationSchema } from '../../src/neuxnet/notification.js';
import { describeIssues, MAX_LISTED_ISSUES, ValidationError } from '../../src/shared/errors.js';
import { parseOrThrow } from '../../src/shared/zod-issues.js';

const issue = (i: number) => ({ field: `openIds.${i}`, rule: 'must not be empty' });

describe('issue lists are capped', () => {
  it('20,000 bad openIds: the message lists 20 and says how many more; issues holds 20, issueCount all', () => {
    const openIds = Array.from({ length: 20_000 }, () => '');
    let error: unknown;
    try {
      parseOrThrow(NotificationSchema, { title: 't', text: 'x', navigateType: 2, url: 'https://e.com', openIds }, 'notification');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(v.issueCount).toBe(20_000);
    expect(v.message).toMatch(/^Invalid notification: openIds\.0: must not be empty; .*openIds\.19: must not be empty \(and 19980 more\)$/);
    expect(v.message.length).toBeLessThan(1_000);
  });

  it('a short list is unchanged; a re-wrapped capped list keeps the total', () => {
    expect(describeIssues([issue(0), { field: '', rule: 'unknown option(s) x' }])).toBe('openIds.0: must not be empty; unknown option(s) x');
    const all = Array.from({ length: 30 }, (_, i) => issue(i));
    const first = new ValidationError('notification', all);
    const rewrapped = new ValidationError('request', first.issues, { total: first.issueCount });
    expect(rewrapped.issues).toHaveLength(20);
    expect(rewrapped.issueCount).toBe(30);
    expect(rewrapped.message).toMatch(/\(and 10 more\)$/);
  });
});
