import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Validates one part of a request; failures become a 400 naming every offending field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, part: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const summary = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
  throw new HttpError('validation_failed', `Invalid request ${part} (${summary})`, fields);
}
