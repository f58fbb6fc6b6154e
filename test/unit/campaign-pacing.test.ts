import { describe, expect, it } from 'vitest';
import type { CampaignSpec, CampaignTiming } from '../../src/producer/campaign-options.js';
import { fromOrigin, groupTiming, paceOffsetMs, planBatch, type PacingPositions } from '../../src/producer/campaign-plan.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const NIGHT = { from: '22:00', to: '08:00' };
const ids = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => ({ openId: `${prefix}${i}` }));

describe('quiet hours in the plan', () => {
  it('moves only the zones whose clock is inside the window, with the deadline, and marks their chunks', () => {
    // 21:30Z: 23:30 in Berlin (CEST, inside), 00:30 in Riyadh (inside), 17:30 in New York (outside).
    const timing: CampaignTiming = { kind: 'at', sendAt: at('2026-06-10T21:30:00Z'), deadline: at('2026-06-10T22:30:00Z'), quietHours: NIGHT, defaultTimezone: 'America/New_York' };
    const chunks = planBatch({
      campaignId: 'q',
      batchNo: 0,
      recipients: [{ openId: 'b', timezone: 'Europe/Berlin' }, { openId: 'r', timezone: 'Asia/Riyadh' }, { openId: 'n' }],
      timing,
      chunkSize: 10,
    });
    expect(chunks.map((c) => [c.jobId, c.openIds, iso(c.sendAt), iso(c.deadline), c.heldByQuietHours])).toEqual([
      ['c-q.0.0', ['b'], '2026-06-11T06:00:00.000Z', '2026-06-11T07:00:00.000Z', true],
      ['c-q.0.1', ['r'], '2026-06-11T05:00:00.000Z', '2026-06-11T06:00:00.000Z', true],
      ['c-q.0.2', ['n'], '2026-06-10T21:30:00.000Z', '2026-06-10T22:30:00.000Z', false],
    ]);
  });

  it('with localTime: a local time inside the window moves to its end on that day', () => {
    const timing: CampaignTiming = { kind: 'local', localTime: '07:00', windowMs: HOUR, now: at('2026-06-10T12:00:00Z'), quietHours: NIGHT };
    expect(groupTiming(timing, 'Europe/Berlin')).toEqual({ sendAt: at('2026-06-11T06:00:00Z'), deadline: at('2026-06-11T07:00:00Z'), held: true });
    expect(groupTiming({ ...timing, localTime: '09:00' }, 'Europe/Berlin')).toEqual({ sendAt: at('2026-06-11T07:00:00Z'), deadline: at('2026-06-11T08:00:00Z'), held: false });
  });
});

describe('pacing in the plan', () => {
  const timing: CampaignTiming = { kind: 'at', sendAt: 1_000_000, deadline: 1_000_000 + HOUR, perMinute: 4 };

  it('spreads chunks of at most perMinute evenly: offset = floor(position * 60000 / perMinute)', () => {
    const chunks = planBatch({ campaignId: 'p', batchNo: 0, recipients: ids(10), timing, chunkSize: 100 });
    expect(chunks.map((c) => [c.openIds.length, c.sendAt - 1_000_000, c.deadline - c.sendAt])).toEqual([
      [4, 0, HOUR],
      [4, 60_000, HOUR],
      [2, 120_000, HOUR],
    ]);
    expect(paceOffsetMs(1, 3)).toBe(20_000);
    expect(paceOffsetMs(2, 3)).toBe(40_000);
  });

  it('positions run on across batches, so batch after batch keeps the pace, and a replan from the same positions is identical', () => {
    const positions: PacingPositions = new Map();
    const first = planBatch({ campaignId: 'p', batchNo: 0, recipients: ids(3, 'a'), timing, chunkSize: 2, positions });
    const second = planBatch({ campaignId: 'p', batchNo: 1, recipients: ids(3, 'b'), timing, chunkSize: 2, positions });
    expect([...first, ...second].map((c) => [c.jobId, c.sendAt - 1_000_000])).toEqual([
      ['c-p.0.0', 0],
      ['c-p.0.1', 30_000],
      ['c-p.1.0', 45_000],
      ['c-p.1.1', 75_000],
    ]);
    const replayed: PacingPositions = new Map();
    planBatch({ campaignId: 'p', batchNo: 0, recipients: ids(3, 'a'), timing, chunkSize: 2, positions: replayed });
    expect(planBatch({ campaignId: 'p', batchNo: 1, recipients: ids(3, 'b'), timing, chunkSize: 2, positions: replayed })).toEqual(second);
  });

  it('counts positions per send time: with quiet hours each send-time group is paced from its own start', () => {
    const t: CampaignTiming = { kind: 'at', sendAt: at('2026-06-10T21:30:00Z'), deadline: at('2026-06-10T22:30:00Z'), quietHours: NIGHT, perMinute: 1 };
    const chunks = planBatch({
      campaignId: 'g',
      batchNo: 0,
      recipients: [
        { openId: 'b1', timezone: 'Europe/Berlin' },
        { openId: 'n1', timezone: 'America/New_York' },
        { openId: 'b2', timezone: 'Europe/Paris' },
        { openId: 'n2', timezone: 'America/New_York' },
      ],
      timing: t,
      chunkSize: 10,
    });
    // Berlin and Paris share 08:00 CEST: one group, one position sequence across both zones.
    expect(chunks.map((c) => [c.openIds, iso(c.sendAt)])).toEqual([
      [['b1'], '2026-06-11T06:00:00.000Z'],
      [['n1'], '2026-06-10T21:30:00.000Z'],
      [['n2'], '2026-06-10T21:31:00.000Z'],
      [['b2'], '2026-06-11T06:01:00.000Z'],
    ]);
  });
});

describe('fromOrigin', () => {
  const spec = (timing: CampaignTiming, sendAt?: string) => ({ origin: 5_000, timing, summary: { title: 't', ...(sendAt && { sendAt }) } }) as unknown as CampaignSpec;

  it('a paced resume plans from the first run\'s "now"; an unpaced one keeps its own', () => {
    expect(fromOrigin(spec({ kind: 'at', sendAt: 5_000, deadline: 8_000, perMinute: 10 }), 1_000).timing).toEqual({ kind: 'at', sendAt: 1_000, deadline: 4_000, perMinute: 10 });
    // An explicit sendAt is the same on every run.
    expect((fromOrigin(spec({ kind: 'at', sendAt: 9_000, deadline: 12_000, perMinute: 10 }, 'x'), 1_000).timing as { sendAt: number }).sendAt).toBe(9_000);
    expect((fromOrigin(spec({ kind: 'local', localTime: '09:00', windowMs: 1, now: 5_000, perMinute: 10 }), 1_000).timing as { now: number }).now).toBe(1_000);
    const unpaced = spec({ kind: 'at', sendAt: 5_000, deadline: 8_000 });
    expect(fromOrigin(unpaced, 1_000)).toBe(unpaced);
  });
});
