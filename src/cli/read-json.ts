import { readFile } from 'node:fs/promises';
import { UsageError } from './exit.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The bad-input error for a file that cannot be read, in words for the common errnos; the original is its cause. */
export function unreadableFile(name: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return new UsageError(`cannot read ${name}: ${why}`, { cause: error });
}

/** Read and parse a JSON file, or stdin for `-`. Every failure is bad input that names the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  const name = path === '-' ? 'stdin' : path;
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw unreadableFile(name, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
