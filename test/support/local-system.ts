import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { ApiClient } from '../../local/api-client.ts';
import { DEV_JWT_SECRET } from '../../local/dev-jwt.ts';
import type { DynamoLocal } from '../../local/dynamo-local.ts';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../../local/system.ts';
import { useDynamoLocal } from './dynamo.ts';

/**
 * The whole local system for an e2e test file: its own table in the run's DynamoDB Local, its own
 * HTTP port, engine and stream poller. Stopped in afterAll.
 */
export function useLocalSystem(options: Omit<LocalSystemOptions, 'dynamo' | 'tableName'> = {}) {
  const dynamo = useDynamoLocal();
  const state: { system?: LocalSystem; api?: ApiClient } = {};
  beforeAll(async () => {
    const shared: DynamoLocal = {
      endpoint: dynamo.endpoint,
      port: Number(new URL(dynamo.endpoint).port),
      client: dynamo.client,
      startupMs: 0,
      pid: 0,
      stop: async () => undefined,
    };
    state.system = await startLocalSystem({
      ...options,
      port: 0,
      dynamo: shared,
      tableName: `e2e-${randomUUID()}`,
    });
    state.api = new ApiClient(state.system.url, options.jwtSecret ?? DEV_JWT_SECRET);
  });
  afterAll(async () => {
    await state.system?.stop();
  });
  return {
    get system(): LocalSystem {
      if (!state.system) throw new Error('system not started');
      return state.system;
    },
    get api(): ApiClient {
      if (!state.api) throw new Error('system not started');
      return state.api;
    },
  };
}
