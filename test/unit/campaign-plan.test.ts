import { describe, expect, it } from 'vitest';
import { planBatch, groupTiming } from '../../src/producer/campaign-plan.js';
import type { CampaignTiming } from '../../src/producer/campaign-options.js';
import { campaignState } from '../../src/shared/campaign-status.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

const local = (now: string, extra: Partial<Extract<CampaignTiming, { kind: 'local' }>> = {}): CampaignTiming => ({
  kind: 'local',
  localTime: '09:00',
  windowMs: HOUR,
  now: at(now),
  ...extra,
});

describe('local-time send times, per zone, with a fixed now', () => {
  // 2026: the US springs forward on Sunday 8 March and falls back on Sunday 1 November; Europe springs
  // forward on 29 March; Sydney falls back on Sunday 5 April.
  const cases: { name: string; now: string; zone: string; expected: string }[] = [
    { name: 'Riyadh (UTC+3, no DST): 09:00 still ahead today', now: '2026-03-07T05:00:00Z', zone: 'Asia/Riyadh', expected: '2026-03-07T06:00:00Z' },
    { name: 'Riyadh: 09:00 passed today -> tomorrow', now: '2026-03-07T15:00:00Z', zone: 'Asia/Riyadh', expected: '2026-03-08T06:00:00Z' },
    { name: 'exactly 09:00 now is today, not tomorrow', now: '2026-03-07T06:00:00Z', zone: 'Asia/Riyadh', expected: '2026-03-07T06:00:00Z' },
    {
      name: 'New York, 10:00 on the Saturday before spring-forward: tomorrow 09:00 is EDT, 22 h away (not 23)',
      now: '2026-03-07T15:00:00Z',
      zone: 'America/New_York',
      expected: '2026-03-08T13:00:00Z',
    },
    {
      name: 'New York, the Sunday of spring-forward after 02:00: the change already happened today',
      now: '2026-03-08T08:00:00Z',
      zone: 'America/New_York',
      expected: '2026-03-08T13:00:00Z',
    },
    {
      name: 'New York, 10:00 on the Saturday before fall-back: tomorrow 09:00 is EST, 24 h away (not 23)',
      now: '2026-10-31T14:00:00Z',
      zone: 'America/New_York',
      expected: '2026-11-01T14:00:00Z',
    },
    { name: 'London, the week Europe springs forward: Saturday (GMT)', now: '2026-03-27T12:00:00Z', zone: 'Europe/London', expected: '2026-03-28T09:00:00Z' },
    { name: 'London, the Sunday it springs forward (BST)', now: '2026-03-28T12:00:00Z', zone: 'Europe/London', expected: '2026-03-29T08:00:00Z' },
    {
      name: 'Sydney, falling back on 5 April: 09:00 that day is AEST (UTC+10)',
      now: '2026-04-04T12:00:00Z',
      zone: 'Australia/Sydney',
      expected: '2026-04-04T23:00:00Z',
    },
    { name: 'Sydney, a day earlier: 09:00 AEDT (UTC+11)', now: '2026-04-03T12:00:00Z', zone: 'Australia/Sydney', expected: '2026-04-03T22:00:00Z' },
    { name: 'Kathmandu (UTC+5:45)', now: '2026-03-07T00:00:00Z', zone: 'Asia/Kathmandu', expected: '2026-03-07T03:15:00Z' },
  ];
  it.each(cases)('$name', ({ now, zone, expected }) => {
    expect(groupTiming(local(now), zone)).toEqual({ sendAt: at(expected), deadline: at(expected) + HOUR });
  });
});

describe('planBatch', () => {
  const recipients = (specs: [string, string?][]) => specs.map(([openId, timezone]) => ({ openId, ...(timezone && { timezone }) }));

  it('one send time: chunks of at most chunkSize in input order, ids c-<id>.<batch>.<k>', () => {
    const timing: CampaignTiming = { kind: 'at', sendAt: 1_000, deadline: 5_000 };
    const chunks = planBatch({
      campaignId: 'spring',
      batchNo: 7,
      recipients: recipients([['a'], ['b'], ['c'], ['d'], ['e']]),
      timing,
      chunkSize: 2,
    });
    expect(chunks).toEqual([
      { jobId: 'c-spring.7.0', openIds: ['a', 'b'], sendAt: 1_000, deadline: 5_000 },
      { jobId: 'c-spring.7.1', openIds: ['c', 'd'], sendAt: 1_000, deadline: 5_000 },
      { jobId: 'c-spring.7.2', openIds: ['e'], sendAt: 1_000, deadline: 5_000 },
    ]);
  });

  it('local time: one group per zone in order of first appearance, the default zone for those without', () => {
    const chunks = planBatch({
      campaignId: 'x',
      batchNo: 0,
      recipients: recipients([['ny1', 'America/New_York'], ['r1', 'Asia/Riyadh'], ['ny2', 'America/New_York'], ['d1'], ['r2', 'Asia/Riyadh'], ['ny3', 'America/New_York']]),
      timing: local('2026-03-07T15:00:00Z', { defaultTimezone: 'Asia/Riyadh' }),
      chunkSize: 2,
    });
    expect(chunks.map((c) => [c.jobId, c.openIds, new Date(c.sendAt).toISOString()])).toEqual([
      ['c-x.0.0', ['ny1', 'ny2'], '2026-03-08T13:00:00.000Z'],
      ['c-x.0.1', ['ny3'], '2026-03-08T13:00:00.000Z'],
      // A recipient without a zone is in the default zone's group.
      ['c-x.0.2', ['r1', 'd1'], '2026-03-08T06:00:00.000Z'],
      ['c-x.0.3', ['r2'], '2026-03-08T06:00:00.000Z'],
    ]);
  });

  it('plans the same batch identically even from a later "now" (a resume): ids name the same recipients', () => {
    const batch = recipients([['a', 'Asia/Tokyo'], ['b', 'Europe/Paris'], ['c', 'Asia/Tokyo']]);
    const first = planBatch({ campaignId: 'r', batchNo: 3, recipients: batch, timing: local('2026-06-01T00:00:00Z'), chunkSize: 1 });
    const later = planBatch({ campaignId: 'r', batchNo: 3, recipients: batch, timing: local('2026-06-01T05:00:00Z'), chunkSize: 1 });
    expect(later.map((c) => [c.jobId, c.openIds])).toEqual(first.map((c) => [c.jobId, c.openIds]));
    // Tokyo's 09:00 (00:00Z) had passed by 05:00Z: the later plan sends tomorrow.
    expect(later[0]?.sendAt).toBe((first[0]?.sendAt ?? 0) + 24 * HOUR);
  });

  it('groups by zone and language: chunks never mix languages, and each names its language', () => {
    const batch = [
      { openId: 'a', language: 'ar_SA' as const },
      { openId: 'b' },
      { openId: 'c', language: 'ar_SA' as const },
      { openId: 'd', language: 'zh_CN' as const },
      { openId: 'e' },
    ];
    const chunks = planBatch({
      campaignId: 'l',
      batchNo: 0,
      recipients: batch,
      timing: { kind: 'at', sendAt: 1, deadline: 2 },
      chunkSize: 10,
      languageOf: (r) => (typeof r === 'string' ? undefined : r.language) ?? 'en_US',
    });
    expect(chunks.map((c) => [c.jobId, c.openIds, c.language])).toEqual([
      ['c-l.0.0', ['a', 'c'], 'ar_SA'],
      ['c-l.0.1', ['b', 'e'], 'en_US'],
      ['c-l.0.2', ['d'], 'zh_CN'],
    ]);
  });

  it('an empty batch (all repeats) plans nothing', () => {
    expect(planBatch({ campaignId: 'e', batchNo: 1, recipients: [], timing: { kind: 'at', sendAt: 0, deadline: 1 }, chunkSize: 100 })).toEqual([]);
  });
});

describe('campaignState', () => {
  const base = { enqueued: true, cancelRequested: false, recipients: 10, sent: 0, failed: 0, cancelled: 0 };
  const cases: { name: string; c: typeof base; expected: string }[] = [
    { name: 'nothing sent yet', c: base, expected: 'scheduled' },
    { name: 'some sent', c: { ...base, sent: 3 }, expected: 'sending' },
    { name: 'a failure counts as started', c: { ...base, failed: 1 }, expected: 'sending' },
    { name: 'all sent', c: { ...base, sent: 10 }, expected: 'completed' },
    { name: 'all accounted for, some failed', c: { ...base, sent: 8, failed: 2 }, expected: 'completed_with_failures' },
    { name: 'still being queued: not complete even if all queued so far are sent', c: { ...base, enqueued: false, sent: 10 }, expected: 'sending' },
    { name: 'cancel requested', c: { ...base, cancelRequested: true, sent: 4, cancelled: 6 }, expected: 'cancelled' },
  ];
  it.each(cases)('$name -> $expected', ({ c, expected }) => {
    expect(campaignState(c)).toBe(expected);
  });
});
