import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME_ENV } from '../table-definition.ts';
import { traced } from '../tracer.ts';
import type { Item } from './codec.ts';

/** What every repository function needs: the document client and the table's name. */
export interface Db {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** Numbers above 2^53 (money counters) come back as bigint, small ones as number. */
function readNumber(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : BigInt(text);
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: readNumber },
  });
}

/**
 * Bounds on one DynamoDB request attempt, so that a database that does not answer fails the request
 * (and the route answers 503) instead of holding it: the SDK sets no timeout of its own. The SDK
 * still makes up to 3 attempts, so a silent database costs at most ~3 x requestTimeout.
 * `throwOnRequestTimeout`: without it the SDK only logs a breached requestTimeout.
 */
export const DYNAMO_REQUEST_HANDLER = {
  connectionTimeout: 2_000,
  requestTimeout: 10_000,
  throwOnRequestTimeout: true,
} as const;

/** The Db of a Lambda function: table name from the environment, default AWS credentials. */
export function dbFromEnvironment(env: NodeJS.ProcessEnv = process.env): Db {
  const table = env[TABLE_NAME_ENV];
  if (!table) throw new Error(`${TABLE_NAME_ENV} is not set`);
  const endpoint = env.DYNAMODB_ENDPOINT;
  const requestHandler = { ...DYNAMO_REQUEST_HANDLER };
  return {
    // Traced like the other clients (adapters/tracer.ts): its calls are X-Ray subsegments in AWS.
    doc: documentClient(
      traced(new DynamoDBClient(endpoint ? { endpoint, requestHandler } : { requestHandler })),
    ),
    table,
  };
}

/** Socket errors of a connection that is refused, dropped or silent (Node's codes). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Error names of the SDK and of DynamoDB that mean "no answer now" (timeouts and server faults). */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  // The table is not there (yet): locally between a restart of DynamoDB Local in memory and the
  // re-creation of its table (local/system.ts), in AWS while a table is being restored.
  'ResourceNotFoundException',
]);

/**
 * The one definition of "the database is unavailable": the request never got an answer (refused,
 * reset, broken pipe, unreachable, timed out) or DynamoDB answered with a server fault (5xx). Such a
 * request may be repeated as it is; nothing about it was wrong. Looks through `cause` and the
 * `errors` of an AggregateError (Node reports a refused connection to a dual-stack host that way).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || error === null || typeof error !== 'object') return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' && typeof status === 'number' && status >= 500) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

type Key = Record<string, unknown>;

/**
 * Strongly consistent reads of many keys of the table: BatchGet in pages of 100 (its limit), each
 * page repeated with its UnprocessedKeys until none are left. Missing keys are simply absent.
 */
export async function batchGetAll(db: Db, itemKeys: Key[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < itemKeys.length; i += 100) {
    let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = {
      [db.table]: { Keys: itemKeys.slice(i, i + 100), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const out = await db.doc.send(new BatchGetCommand({ RequestItems: request }));
      items.push(...(out.Responses?.[db.table] ?? []));
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return items;
}

/** Every item a Query finds, all pages (the one paginated Query loop of the adapters). */
export async function queryAll(
  db: Db,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({ ...input, TableName: db.table, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}
