/**
 * DynamoDB Local for integration and e2e tests.
 *
 * One JVM for the whole run when vitest.config.ts lists test/setup/dynamo-global.ts as globalSetup
 * (started on the first request to its broker); otherwise one JVM per test file, started in beforeAll
 * and stopped in afterAll. Either way every test gets its own table from `freshDb()` / `freshTable()`, so test files
 * running in parallel never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Db } from '../../functions/adapters/dynamo/db.ts';
import { documentClient } from '../../functions/adapters/dynamo/db.ts';
import { TABLE_NAME_ENV } from '../../functions/adapters/table-definition.ts';
import {
  createTable,
  type DynamoLocal,
  deleteTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localClientConfig,
  startDynamoLocal,
} from '../../local/dynamo-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/setup/dynamo-global.ts: GET it to obtain the endpoint of the run's shared DynamoDB Local. */
    dynamoLocalBroker?: string;
  }
}

export interface DynamoLocalForTests {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** A new, uniquely named table built from freezeflowTable (deleted in afterAll). */
  freshTable(): Promise<string>;
  /** A `Db` on a fresh table. */
  freshDb(): Promise<Db>;
  /** Environment under which `dbFromEnvironment()` and the AWS SDK reach this DynamoDB Local and `table`. */
  lambdaEnv(table: string): Record<string, string>;
}

/** Call once at the top level of a test file (or inside a describe). */
export function useDynamoLocal(): DynamoLocalForTests {
  let client: DynamoDBClient | undefined;
  let endpoint: string | undefined;
  let own: DynamoLocal | undefined;
  const tables: string[] = [];

  beforeAll(async () => {
    const broker = inject('dynamoLocalBroker');
    if (broker) {
      const response = await fetch(broker);
      const text = await response.text();
      if (!response.ok) throw new Error(`DynamoDB Local (vitest globalSetup) did not start: ${text}`);
      endpoint = text;
      client = new DynamoDBClient(localClientConfig(text));
    } else {
      own = await startDynamoLocal();
      endpoint = own.endpoint;
      client = own.client;
    }
  });

  afterAll(async () => {
    if (own) {
      await own.stop(); // the tables go with the in-memory database
    } else if (client) {
      const c = client;
      await Promise.allSettled(tables.map((table) => deleteTable(c, table)));
      c.destroy();
    }
    client = undefined;
  });

  const ready = (): DynamoDBClient => {
    if (!client) throw new Error('DynamoDB Local is not running: use it inside tests/hooks, after beforeAll');
    return client;
  };

  const handle: DynamoLocalForTests = {
    get client() {
      return ready();
    },
    get endpoint() {
      ready();
      return endpoint ?? '';
    },
    async freshTable() {
      const table = `freezeflow-test-${randomUUID()}`;
      await createTable(ready(), table);
      tables.push(table);
      return table;
    },
    async freshDb() {
      const table = await handle.freshTable();
      return { doc: documentClient(ready()), table };
    },
    lambdaEnv(table) {
      return {
        [TABLE_NAME_ENV]: table,
        DYNAMODB_ENDPOINT: handle.endpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      };
    },
  };
  return handle;
}
