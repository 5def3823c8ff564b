import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi.d.ts';
import type { Problem } from './views.ts';

/**
 * The typed client of the public HTTP API, generated from the repo's openapi.json
 * (`npm run console:api-types` writes openapi.d.ts). The console has no other backend.
 */
export type Api = ReturnType<typeof createClient<paths>>;

/** A refusal (problem+json) or, with status 0, a network error: the request may or may not have landed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }
  get isRetryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status === 503;
  }
}

export function createApi(baseUrl: string, token: () => string | undefined): Api {
  const api = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const t = token();
      if (t) request.headers.set('authorization', `Bearer ${t}`);
      return request;
    },
  };
  api.use(auth);
  return api;
}

/**
 * Awaits an openapi-fetch call and returns its body, or throws ApiError (problem+json, or status 0
 * when the network failed: fetch threw before any answer).
 */
export async function call<T>(
  request: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<{ data: T; status: number }> {
  let result: Awaited<typeof request>;
  try {
    result = await request;
  } catch (error) {
    throw new ApiError(0, { title: 'Network error', status: 0, detail: String((error as Error).message) });
  }
  const { response } = result;
  if (!response.ok) {
    const body = result.error as Partial<Problem> | undefined;
    throw new ApiError(response.status, {
      title: body?.title ?? response.statusText,
      status: response.status,
      ...(body?.detail ? { detail: body.detail } : {}),
      ...(body?.rule ? { rule: body.rule } : {}),
      ...(body?.errors ? { errors: body.errors } : {}),
    });
  }
  return { data: result.data as T, status: response.status };
}

/**
 * A route of API.md that the generated client does not know yet (openapi.json is regenerated when
 * the route lands: `GET /banks/{bankId}`, `POST /banks/{bankId}/test-deliveries`). Same answers
 * as `call`: the body, or ApiError (status 0 for a network error).
 */
export async function callRoute<T>(
  baseUrl: string,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ data: T; status: number }> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(0, { title: 'Network error', status: 0, detail: String((error as Error).message) });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const p = (parsed ?? {}) as Partial<Problem>;
    throw new ApiError(response.status, {
      title: p.title ?? response.statusText,
      status: response.status,
      ...(p.detail ? { detail: p.detail } : {}),
      ...(p.rule ? { rule: p.rule } : {}),
      ...(p.errors ? { errors: p.errors } : {}),
    });
  }
  return { data: parsed as T, status: response.status };
}
