import { parseDuration } from '../shared/duration.js';
import { UsageError } from './exit.js';
import { openRecipients } from './recipients-file.js';

/** `--validity 2h` as the whole seconds the vendor takes. */
export function validityFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1000 || ms % 1000 !== 0) throw new UsageError(`--validity must be a duration of whole seconds, at least 1s (90s, 30m, 2h), got "${value}"`);
  return ms / 1000;
}

/** A recipients file's openIds (one per line, or the CSV forms campaigns read), for one show or remove. */
export async function readAudience(path: string): Promise<string[]> {
  const openIds: string[] = [];
  for await (const r of await openRecipients(path)) openIds.push(r.openId);
  return openIds;
}
