import type { Command, CommanderError } from 'commander';
import { EXIT } from './exit.js';

export interface ParserOutput {
  /** Where the one-line error goes. Default: stderr. */
  writeErr?: (line: string) => void;
  /** Ends the process. Default: process.exit. */
  exit?: (code: number) => never;
}

/** Commander's codes for --help and --version, which are answers, not errors. */
const ANSWERED = new Set(['commander.helpDisplayed', 'commander.version']);

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The closest known flag, when it is close enough to be a typo (commander's own rule is similar). */
export function didYouMean(flag: string, known: readonly string[]): string | undefined {
  let best: { flag: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(flag, candidate);
    if (!best || d < best.d) best = { flag: candidate, d };
  }
  return best && best.d <= Math.max(1, Math.floor(flag.length * 0.4)) ? best.flag : undefined;
}

function knownFlags(cmd: Command): string[] {
  const flags = ['--help', '-h'];
  for (let c: Command | null = cmd; c; c = c.parent) for (const o of c.options) flags.push(...[o.long, o.short].filter((f): f is string => !!f));
  return flags;
}

/**
 * Commander checks required options before unknown ones, so `send --flie x` would only say that --file is
 * missing; the misspelt flag is the real mistake, so it is named first.
 */
function unknownFlagIn(argv: readonly string[], cmd: Command): string | undefined {
  const known = new Set(knownFlags(cmd));
  for (const token of argv) {
    if (token === '--') return undefined;
    const flag = token.split('=')[0] as string;
    if (/^--?[A-Za-z]/.test(flag) && !known.has(flag) && !(flag.length > 2 && !flag.startsWith('--') && known.has(flag.slice(0, 2)))) return flag;
  }
  return undefined;
}

/** Commander's message as one line: `error: ` dropped, its "(Did you mean x?)" second line folded in. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*\(Did you mean (.+)\?\)\s*$/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/ is invalid\. (\w)/, (_m, first: string) => ` is invalid: ${first.toLowerCase()}`)
    .trim()
    .replace(/\.$/, '');
}

/**
 * Every parser error (unknown command or option, missing or invalid value, wrong number of arguments) is
 * one line, `neupush: <command>: <what> (did you mean …?); see neupush <command> --help`, and exit 2, on
 * every command and subcommand. Call after all commands are registered.
 */
export function applyParserManners(program: Command, argv: readonly string[], output: ParserOutput = {}): void {
  const writeErr = output.writeErr ?? ((line: string) => process.stderr.write(line));
  const exit = output.exit ?? ((code: number) => process.exit(code));
  const configure = (cmd: Command) => {
    const path = commandPath(cmd);
    cmd
      .showHelpAfterError(false)
      .showSuggestionAfterError(true)
      .configureOutput({ outputError: () => {} })
      .exitOverride((err: CommanderError) => {
        if (ANSWERED.has(err.code)) exit(EXIT.ok);
        // A group without its subcommand (`neupush dlq`) has printed its help, which lists them.
        if (err.code === 'commander.help') exit(EXIT.badInput);
        let message = oneLine(err.message);
        const typo = err.code === 'commander.missingMandatoryOptionValue' ? unknownFlagIn(argv, cmd) : undefined;
        if (typo !== undefined) {
          const suggestion = typo.startsWith('--') ? didYouMean(typo, knownFlags(cmd).filter((f) => f.startsWith('--'))) : undefined;
          message = `unknown option '${typo}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
        }
        const where = path === '' ? '' : `${path}: `;
        writeErr(`neupush: ${where}${message}; see neupush ${path === '' ? '' : `${path} `}--help\n`);
        exit(EXIT.badInput);
      });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
}
