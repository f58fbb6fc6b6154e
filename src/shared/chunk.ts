import type { Notification } from '../neuxnet/notification.js';

/**
 * Split a notification into one per request: openIds in slices of at most `size`, in order, so chunk
 * i always holds the same recipients (job ids are derived from i). Sends without openIds are one chunk.
 */
export function chunkNotification(n: Notification, size: number): Notification[] {
  if (n.openIds === undefined || n.openIds.length <= size) return [n];
  const chunks: Notification[] = [];
  for (let i = 0; i < n.openIds.length; i += size) chunks.push({ ...n, openIds: n.openIds.slice(i, i + size) });
  return chunks;
}
