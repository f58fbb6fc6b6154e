import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.js';

export function toFieldIssues(error: z.ZodError, basePath: readonly (string | number)[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [...basePath, ...issue.path.map((p) => String(p))].join('.'),
    rule: issue.message,
  }));
}

/** Parse with a schema; throw a ValidationError naming each failing field and its rule. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(what, toFieldIssues(result.error));
  return result.data;
}
