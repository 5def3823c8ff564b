import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routes } from '../../functions/schemas/routes.ts';
import { localLambdaContext } from '../../local/lambda-context.ts';

export type Claims = Record<string, string>;

export const police = (agencyId = 'PSB-1', sub = 'officer-1'): Claims => ({ sub, role: 'police', agencyId });
export const bank = (bankId: string): Claims => ({ sub: `${bankId}-connector`, role: 'bank', bankId });
export const regulator = (): Claims => ({ sub: 'reg-1', role: 'regulator' });
export const admin = (): Claims => ({ sub: 'admin-1', role: 'admin' });

/** An API Gateway v2 event for a route of routes.ts, as the JWT authorizer would pass it on. */
export function apiEvent(
  routeId: (typeof routes)[number]['id'],
  options: {
    claims?: Claims;
    path?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const route = routes.find((r) => r.id === routeId)!;
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_, n: string) => options.path?.[n] ?? '');
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
    queryStringParameters: options.query,
    pathParameters: options.path,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: 'req',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: {
        principalId: options.claims?.sub ?? '',
        integrationLatency: 0,
        jwt: { claims: options.claims ?? {}, scopes: [] },
      },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

type HttpHandlerFn = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: never) => Promise<unknown>;

/** Calls a handler built by a create* factory and parses its answer. */
export async function call<T = Record<string, unknown>>(
  handler: HttpHandlerFn,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<Answer<T>> {
  const result = (await handler(
    event,
    localLambdaContext('test') as never,
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
    body: (result.body ? JSON.parse(result.body) : undefined) as T,
  };
}
