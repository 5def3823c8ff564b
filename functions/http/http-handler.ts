import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { ZodType } from 'zod';
import { isDatabaseUnavailable } from '../adapters/dynamo/db.ts';
import { correlate, log, loggerMiddleware, maskAccounts } from '../adapters/logger.ts';
import { metricNames, metricsMiddleware, recordMetric } from '../adapters/metrics.ts';
import { type Caller, CallerClaims, claimNamesFromEnvironment, normalizeClaims } from '../schemas/claims.ts';
import { IdempotencyKey } from '../schemas/common.ts';
import { type RouteId, routeById } from '../schemas/routes.ts';
import {
  forbidden,
  HttpProblem,
  problemOf,
  problemResponse,
  unauthorized,
  zodFieldErrors,
} from './problem.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 256 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Dotted paths of every string (or key) in a parsed JSON value that holds a lone surrogate. Walks
 * with an explicit stack: a hostile body may nest 100,000 levels deep.
 */
function illFormedStrings(root: unknown): string[] {
  const lone = /\p{Surrogate}/u;
  const out: string[] = [];
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (lone.test(value)) out.push(path);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        stack.push([v, path ? `${path}.${i}` : String(i)]);
      });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const child = path ? `${path}.${k}` : k;
        if (lone.test(k)) out.push(child);
        stack.push([v, child]);
      }
    }
  }
  return out.sort();
}

/** The request as a handler sees it, with the checks of docs/api.md in their order. */
export class HttpRequest {
  constructor(
    readonly event: HttpEvent,
    readonly caller: Caller | undefined,
  ) {}

  /** The authenticated caller (routes with roles always have one). */
  get who(): Caller {
    if (!this.caller) throw new Error('route has no caller');
    return this.caller;
  }

  pathParam(name: string): string {
    const raw = this.event.pathParameters?.[name] ?? '';
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw; // a malformed escape is no id of ours: the id checks answer 404
    }
  }

  header(name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const [k, v] of Object.entries(this.event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
    return undefined;
  }

  /**
   * The raw JSON body: 413 past 256 KB, 400 if it is not UTF-8 JSON, 422 naming each string that is
   * not Unicode text (a lone surrogate escape such as "\ud800" parses, but no system can store it).
   */
  rawJson(): unknown {
    const raw = this.event.body ?? '';
    const bytes = this.event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.length > MAX_BODY_BYTES) {
      throw new HttpProblem(413, 'Content Too Large', `the body is over ${MAX_BODY_BYTES} bytes`);
    }
    let value: unknown;
    try {
      value = JSON.parse(strictUtf8.decode(bytes));
    } catch {
      throw new HttpProblem(400, 'Bad Request', 'the body is not valid UTF-8 JSON');
    }
    const bad = illFormedStrings(value);
    if (bad.length > 0) {
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'the body has text that is not valid Unicode',
        bad.map((path) => ({ path: path || '(body)', message: 'not valid Unicode text (lone surrogate)' })),
      );
    }
    return value;
  }

  /** Body validated by `schema`: every bad field named (422). */
  body<T>(schema: ZodType<T>, raw: unknown = this.rawJson()): T {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'the body has invalid fields',
        zodFieldErrors(parsed.error),
      );
    }
    return parsed.data;
  }

  query<T>(schema: ZodType<T>): T {
    const parsed = schema.safeParse(this.event.queryStringParameters ?? {});
    if (!parsed.success) {
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'the query has invalid parameters',
        zodFieldErrors(parsed.error),
      );
    }
    return parsed.data;
  }

  /**
   * Body and Idempotency-Key of an idempotent POST, validated together so that one 422 names every
   * bad field, the header included.
   */
  bodyWithKey<T>(schema: ZodType<T>, raw: unknown = this.rawJson()): { input: T; key: string } {
    const parsed = schema.safeParse(raw);
    const errors = parsed.success ? [] : zodFieldErrors(parsed.error);
    let key = '';
    try {
      key = this.idempotencyKey();
    } catch (error) {
      if (!(error instanceof HttpProblem) || !error.errors) throw error;
      errors.push(...error.errors);
    }
    if (!parsed.success || errors.length > 0) {
      throw new HttpProblem(422, 'Unprocessable Content', 'the request has invalid fields', errors);
    }
    return { input: parsed.data, key };
  }

  /** Idempotency-Key header, required (422 when missing or malformed). */
  idempotencyKey(): string {
    const key = this.header('idempotency-key');
    const parsed = IdempotencyKey.safeParse(key);
    if (key === undefined || !parsed.success) {
      throw new HttpProblem(422, 'Unprocessable Content', 'a valid Idempotency-Key header is required', [
        {
          path: 'headers.Idempotency-Key',
          message: key === undefined ? 'required' : '1-128 visible ASCII characters, no spaces',
        },
      ]);
    }
    return parsed.data;
  }
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

const claimNames = claimNamesFromEnvironment();

/** Claims as API Gateway's JWT authorizer (or the local verifier) leaves them; 401 when unusable. */
export function callerOf(event: HttpEvent): Caller {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) throw unauthorized('a bearer token is required');
  // Claim names are configurable (an external OIDC issuer); Cognito's `custom:` names are accepted.
  const parsed = CallerClaims.safeParse(normalizeClaims(claims, claimNames));
  if (!parsed.success) throw unauthorized('the token lacks a usable role or scope claim');
  return parsed.data;
}

/**
 * An HTTP handler: middy with problem+json errors, then 401 (claims) and 403 (role can never use
 * the route) before the handler runs its own 404 -> 400/413 -> 422 -> 409 checks in that order.
 */
export function httpHandler(routeId: RouteId, handle: (request: HttpRequest) => Promise<HttpResult>) {
  const route = routeById(routeId);
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use({
      onError: async (request) => {
        const problem = problemOf(request.error);
        if (problem?.status === 503)
          log.warn(isDatabaseUnavailable(request.error) ? 'database unavailable' : 'busy', {
            route: route.id,
            error: request.error?.name,
          });
        if (problem) {
          request.response = problemResponse(problem);
          return;
        }
        log.error('unhandled error', {
          route: route.id,
          error: maskAccounts(String(request.error?.stack ?? request.error)),
        });
        request.response = problemResponse(new HttpProblem(500, 'Internal Server Error', 'unexpected error'));
      },
    })
    .use(loggerMiddleware())
    .use(metricsMiddleware())
    .handler(async (event) => {
      correlate(event.pathParameters);
      let caller: Caller | undefined;
      if (route.roles.length > 0) {
        caller = callerOf(event);
        if (!route.roles.includes(caller.role))
          throw forbidden(`role ${caller.role} cannot use ${route.method} ${route.path}`);
      }
      const result = await handle(new HttpRequest(event, caller));
      if (routeId === 'recordConfirmation' && result.statusCode === 201) confirmationMetrics(event.body);
      return result;
    });
}

/** A newly recorded confirmation (201, not a replay): counted by result, frozen money per currency. */
function confirmationMetrics(body: string | undefined): void {
  try {
    const parsed = JSON.parse(body ?? '{}') as {
      result?: unknown;
      frozen?: { currency?: unknown; minor?: unknown };
    };
    if (typeof parsed.result === 'string') {
      recordMetric(metricNames.confirmations, 1, 'Count', ['result', parsed.result]);
    }
    const { currency, minor } = parsed.frozen ?? {};
    if (typeof currency === 'string' && typeof minor === 'string' && /^\d{1,15}$/.test(minor)) {
      // A metric is a double: exact below 2^53; the totals in the table stay the exact record.
      recordMetric(metricNames.fundsFrozen, Number(minor), 'Count', ['currency', currency]);
    }
  } catch {
    // metrics never fail a request
  }
}
