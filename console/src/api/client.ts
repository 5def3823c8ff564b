import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../../packages/bank-kit/src/openapi.ts';
import type { Problem } from './views.ts';

/**
 * The typed client of the public HTTP API: the types openapi-typescript generates from the repo's
 * openapi.json for the bank kit (`npm run openapi`), one definition for both. The console has no
 * other backend.
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
