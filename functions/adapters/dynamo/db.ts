import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME_ENV } from '../table-definition.ts';
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

/** The Db of a Lambda function: table name from the environment, default AWS credentials. */
export function dbFromEnvironment(env: NodeJS.ProcessEnv = process.env): Db {
  const table = env[TABLE_NAME_ENV];
  if (!table) throw new Error(`${TABLE_NAME_ENV} is not set`);
  const endpoint = env.DYNAMODB_ENDPOINT;
  return { doc: documentClient(new DynamoDBClient(endpoint ? { endpoint } : {})), table };
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
