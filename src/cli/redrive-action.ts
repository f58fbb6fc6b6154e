import type { Producer } from '../producer/producer.js';
import { assertIds, type IdKind } from '../shared/ids.js';
import { action, EXIT, UsageError } from './exit.js';
import { withProducer } from './with-producer.js';

interface RedriveOutcome {
  redriven: number;
  skipped: { id: string; why: string }[];
}

/** The action of a `redrive [ids...] [--all] [--json]` command (dead letters, webhook dead letters). */
export function redriveAction(command: string, kind: IdKind, redrive: (p: Producer, ids: readonly string[] | 'all') => Promise<RedriveOutcome>) {
  return action(async (ids: string[], flags: { all?: boolean; json?: boolean }) => {
    if ((flags.all === true) === (ids.length > 0)) throw new UsageError(`${command}: give either --all or one or more ids`);
    // Checked before connecting, so a bad id exits 2 even when Redis is down.
    assertIds(kind, ids, 'ids');
    const result = await withProducer((p) => redrive(p, flags.all ? 'all' : ids));
    if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`redriven ${result.redriven}, skipped ${result.skipped.length}\n`);
    for (const s of result.skipped) process.stderr.write(`neupush: skipped ${s.id}: ${s.why}\n`);
    // Nothing queued and something refused is bad input; a partial redrive is a failure worth a look.
    if (result.skipped.length > 0) process.exitCode = result.redriven === 0 ? EXIT.badInput : EXIT.failure;
  });
}
