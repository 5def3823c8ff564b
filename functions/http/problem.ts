import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../adapters/dynamo/db.ts';
import { type FieldError, NotFound, StateConflict, ValidationProblem } from '../domain/errors.ts';

/** RFC 9457 problem details (docs/api.md Conventions). */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
    readonly rule?: string,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

const TYPE_BASE = 'https://freezeflow.dev/problems/';

export function zodFieldErrors(error: ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    // An unknown field is named itself: `targets.0.colour`, not just its parent.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: [...path, k].join('.'), message: 'unknown field' }));
    }
    return [{ path: path.join('.') || '(body)', message: issue.message }];
  });
}

/**
 * Errors that mean "too busy now", not "wrong": the Lambda's time ran out (middy's TimeoutError, e.g.
 * behind a long queue of changes to one case), the audit chain stayed contended, DynamoDB throttled.
 * The write may still land; every write route is idempotent (Idempotency-Key, confirmationId), so the
 * caller repeats the same request after Retry-After and gets the first answer.
 */
const BUSY_ERRORS = new Set([
  'TimeoutError',
  'ChainRetriesExhausted',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
export const BUSY_RETRY_AFTER_SECONDS = 5;
/** About the time DynamoDB Local takes to come back after its process died (local/dynamo-local.ts). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** 503 + Retry-After: the database does not answer (adapters/dynamo/db.ts isDatabaseUnavailable). */
export const databaseUnavailable = (detail = 'the database does not answer') =>
  new HttpProblem(
    503,
    'Service Unavailable',
    `${detail}: repeat the same request (same Idempotency-Key or confirmationId) after Retry-After seconds`,
    undefined,
    { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
  );

export function problemOf(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  // Before the busy names: TimeoutError is both, and a socket timeout means the database is silent.
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (error instanceof Error && BUSY_ERRORS.has(error.name)) {
    return new HttpProblem(
      503,
      'Service Unavailable',
      'busy: repeat the same request (same Idempotency-Key or confirmationId) after Retry-After seconds',
      undefined,
      { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) },
    );
  }
  if (error instanceof ZodError) {
    return new HttpProblem(
      422,
      'Unprocessable Content',
      'the request has invalid fields',
      zodFieldErrors(error),
    );
  }
  if (error instanceof ValidationProblem) {
    return new HttpProblem(422, 'Unprocessable Content', error.message, error.errors);
  }
  if (error instanceof StateConflict) {
    return new HttpProblem(409, 'Conflict', error.message, undefined, {}, error.rule);
  }
  if (error instanceof NotFound) return new HttpProblem(404, 'Not Found', error.message);
  return undefined;
}

export function problemResponse(problem: HttpProblem): APIGatewayProxyStructuredResultV2 {
  const slug = problem.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
    body: JSON.stringify({
      type: `${TYPE_BASE}${slug}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...(problem.rule ? { rule: problem.rule } : {}),
    }),
  };
}

export const notFound = (what: string) => new HttpProblem(404, 'Not Found', `${what} does not exist`);
export const unauthorized = (detail: string) => new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
