import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi.ts';

/**
 * A typed client of the freezeflow API (openapi-fetch over the types generated from openapi.json):
 * every route, body and answer is typed, `r.data.status` included.
 */
export type FreezeflowClient = Client<paths>;

export function createFreezeflowClient(baseUrl: string, token: string | (() => string)): FreezeflowClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, '') });
  client.use({
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${typeof token === 'function' ? token() : token}`);
      return request;
    },
  });
  return client;
}

export type { paths };
