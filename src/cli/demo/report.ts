import type { DeadLetterEntry } from '../../shared/dead-letters.js';
import type { SandboxStats } from '../../sandbox/sandbox.js';
import type { CaseState } from './progress.js';

export interface DemoSummary {
  states: readonly CaseState[];
  /** Read back from the dead-letter queue itself, not from the progress events. */
  deadLetters: readonly DeadLetterEntry[];
  sandbox: SandboxStats;
  acceptedRecipients: number;
  elapsedMs: number;
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The lines of the summary printed at the end of the demo. */
export function summaryLines(s: DemoSummary): string[] {
  const rows = s.states.map((st) => [
    st.demoCase.title,
    st.demoCase.shows,
    st.result ?? 'pending',
    String(st.calls),
    String(st.retries),
    String(st.recipients),
  ]);
  const delivered = s.states.filter((st) => st.result === 'delivered');
  const retries = s.states.reduce((n, st) => n + st.retries, 0);
  const recipients = delivered.reduce((n, st) => n + st.recipients, 0);
  const reasons = s.deadLetters.map((d) => `${d.reason} (${d.lastError})`).join('; ');
  return [
    '',
    'Summary',
    ...table([['NOTIFICATION', 'SHOWS', 'RESULT', 'CALLS', 'RETRIES', 'RECIPIENTS'], ...rows]).map((l) => `  ${l}`),
    '',
    ...table([
        ['delivered', `${delivered.length} of ${s.states.length} notifications`],
        ['recipients', `${recipients} delivered; the sandbox verified and accepted ${s.sandbox.accepted} requests naming ${s.acceptedRecipients} openIds`],
        ['retries', String(retries)],
        ['dead letters', s.deadLetters.length === 0 ? '0' : `${s.deadLetters.length}: ${reasons}`],
        ['elapsed', `${(s.elapsedMs / 1000).toFixed(1)} s`],
    ]).map((l) => `  ${l}`),
  ];
}
