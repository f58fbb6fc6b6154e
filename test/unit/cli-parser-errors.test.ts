import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/commands/index.js';
import { applyParserManners, didYouMean } from '../../src/cli/parser-errors.js';

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Parse `args` as the real CLI would, catching the exit; actions must never run for these inputs. */
async function parse(args: string[]): Promise<{ code: number; stderr: string }> {
  const program = new Command('neupush');
  registerCommands(program);
  let stderr = '';
  applyParserManners(program, args, {
    writeErr: (line) => (stderr += line),
    exit: (code) => {
      throw new Exit(code);
    },
  });
  // Commander prints help for a group without a subcommand through its own writer.
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const c of program.commands) c.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof Exit) return { code: error.code, stderr };
    throw error;
  }
  throw new Error(`neupush ${args.join(' ')} ran its action`);
}

describe('parser errors: one line, the flag named, a suggestion, exit 2', () => {
  const cases: [args: string[], line: RegExp][] = [
    [['sned'], /^neupush: unknown command 'sned' \(did you mean send\?\); see neupush --help\n$/],
    [['send', '--flie', 'x.json'], /^neupush: send: unknown option '--flie' \(did you mean --file\?\); see neupush send --help\n$/],
    [['send', '--file', 'x.json', '--jsn'], /^neupush: send: unknown option '--jsn' \(did you mean --json\?\)/],
    [['send'], /^neupush: send: required option '-f, --file <path>' not specified; see neupush send --help\n$/],
    [['dlq', 'lst'], /^neupush: dlq: unknown command 'lst' \(did you mean list\?\)/],
    [['dlq', 'list', '--limit', 'x'], /^neupush: dlq list: option '--limit <n>' argument 'x' is invalid: must be a whole number; see/],
    [['dlq', 'list', '--campain', 'c1'], /^neupush: dlq list: unknown option '--campain' \(did you mean --campaign\?\)/],
    [['campaign', 'status'], /^neupush: campaign status: missing required argument 'id'/],
    [['campaign', 'status', 'a', 'b'], /^neupush: campaign status: too many arguments/],
    [['campaign', 'create', '--recipients', 'r.txt', '--file', 'n.json', '--sendat', 'x'], /unknown option '--sendat' \(did you mean --send-at\?\)/],
    [['schedule', 'set', 'x'], /^neupush: schedule set: required option '--cron <expr>' not specified/],
    [['worker', '-x'], /^neupush: worker: unknown option '-x'; see neupush worker --help\n$/],
  ];
  it.each(cases)('neupush %j', async (args, line) => {
    const r = await parse(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--help and --version are answers (exit 0); a group without its subcommand shows its help and exits 2', async () => {
    expect((await parse(['send', '--help'])).code).toBe(0);
    expect((await parse(['dlq'])).code).toBe(2);
  });

  it('suggests only a close flag', () => {
    expect(didYouMean('--flie', ['--file', '--json'])).toBe('--file');
    expect(didYouMean('--colour', ['--file', '--json'])).toBeUndefined();
  });
});
