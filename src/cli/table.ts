/** Print rows as left-aligned columns under a header; the last column is not padded (it may be long). */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[], whenEmpty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${whenEmpty}\n`);
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}\n`);
  }
}
