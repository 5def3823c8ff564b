/**
 * How a client reaches DynamoDB Local (local/dynamo-local.ts starts it). Apart from the process
 * management, so that a sandbox (local/sandbox/worker.ts) loads only the SDK, not the launcher.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DYNAMO_REQUEST_HANDLER } from '../functions/adapters/dynamo/db.ts';

/** DynamoDB Local with `-sharedDb` ignores credentials, but the SDK signs: fixed fake ones (letters/digits only). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * Client configuration (DynamoDB or DynamoDB Streams) for a DynamoDB Local endpoint, with the same
 * per-attempt timeouts as in AWS (functions/adapters/dynamo/db.ts): a JVM that died or hangs fails
 * the request within seconds instead of holding it.
 */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
    requestHandler: { ...DYNAMO_REQUEST_HANDLER },
  } satisfies DynamoDBClientConfig;
}
