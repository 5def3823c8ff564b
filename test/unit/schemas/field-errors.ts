import type { z } from 'zod';
import type { FieldError } from '../../../functions/domain/errors.ts';
import { zodFieldErrors } from '../../../functions/http/problem.ts';

/**
 * The field errors the API would answer for `value` (via the same `zodFieldErrors` the HTTP layer
 * uses), or `[]` when the value is valid. A schema that throws instead of reporting propagates the
 * throw, so a test expecting a 422 fails loudly.
 */
export function fieldErrors(schema: z.ZodType, value: unknown): FieldError[] {
  const result = schema.safeParse(value);
  return result.success ? [] : zodFieldErrors(result.error);
}

/** The distinct dotted paths of `fieldErrors`, sorted. */
export function errorPaths(schema: z.ZodType, value: unknown): string[] {
  return [...new Set(fieldErrors(schema, value).map((e) => e.path))].sort();
}

/** Parses and returns the output, failing the test with the field errors when invalid. */
export function parseOk<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`expected valid, got ${JSON.stringify(zodFieldErrors(result.error))}`);
  return result.data;
}
