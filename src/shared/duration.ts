const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse `500ms`, `90s`, `15m`, `1h`, `7d`, compounds like `1h30m`, or a bare number of milliseconds.
 * Returns undefined for anything else so the caller can name the field in its error.
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== text.length) return undefined;
  return Math.round(total);
}
