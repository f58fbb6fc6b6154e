import type { DeadLetterEntry } from '../shared/dead-letters.js';
import type { DeadLetterReason } from '../shared/job-data.js';

/** Dead letters of one reason and one campaign (or of one-off sends: `campaignId` undefined). */
export interface DeadLetterGroup {
  reason: DeadLetterReason;
  campaignId?: string;
  entries: number;
  recipients: number;
  /** Error of the most recent entry of the group, and when it failed. */
  lastError: string;
  lastFailedAt: string;
  /** Entry ids, newest first. */
  ids: string[];
}

/** Group by reason and campaign, biggest groups first; pure. */
export function groupDeadLetters(entries: readonly DeadLetterEntry[]): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  const sorted = [...entries].sort((a, b) => b.failedAt.localeCompare(a.failedAt));
  for (const e of sorted) {
    const key = `${e.reason}\u0000${e.campaignId ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { reason: e.reason, ...(e.campaignId !== undefined && { campaignId: e.campaignId }), entries: 0, recipients: 0, lastError: e.lastError, lastFailedAt: e.failedAt, ids: [] };
      groups.set(key, g);
    }
    g.entries += 1;
    g.recipients += e.recipients ?? 0;
    g.ids.push(e.id);
  }
  return [...groups.values()].sort((a, b) => b.recipients - a.recipients || b.entries - a.entries);
}
