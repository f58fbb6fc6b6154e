import { describe, expect, it } from 'vitest';
import { LATENESS_BOUNDS_MS, latenessBucket, toCampaignSeries } from '../../src/shared/campaign-series.js';

describe('latenessBucket', () => {
  it.each([
    [-5, 0],
    [0, 0],
    [10, 0],
    [11, 1],
    [999, 6],
    [1_000, 6],
    [3_600_000, LATENESS_BOUNDS_MS.length - 1],
    [3_600_001, LATENESS_BOUNDS_MS.length],
  ])('%d ms -> bucket %d', (ms, bucket) => {
    expect(latenessBucket(ms)).toBe(bucket);
  });
});

describe('toCampaignSeries', () => {
  it('turns minute fields into points, oldest first, and ignores fields it does not know', () => {
    const series = toCampaignSeries({ '101:sr': '2', '101:sn': '200', '100:fr': '1', '100:fn': '7', '100:sr': '3', junk: '9', '5:xr': '1' });
    expect(series.points).toEqual([
      { minute: 100 * 60_000, sentRequests: 3, sentRecipients: 0, failedRequests: 1, failedRecipients: 7 },
      { minute: 101 * 60_000, sentRequests: 2, sentRecipients: 200, failedRequests: 0, failedRecipients: 0 },
    ]);
    expect(series.latenessPercentiles).toBeUndefined();
  });

  it('reads percentiles as the upper bound of the bucket that holds them', () => {
    // 90 requests within 10 ms, 9 within 1 s, 1 above every bound.
    const series = toCampaignSeries({ L0: '90', L6: '9', [`L${LATENESS_BOUNDS_MS.length}`]: '1', L99: '5' });
    expect(series.latenessPercentiles).toEqual({ p50: 10, p90: 10, p99: 1_000 });
    expect(toCampaignSeries({ L15: '1' }).latenessPercentiles).toEqual({ p50: null, p90: null, p99: null });
  });
});
