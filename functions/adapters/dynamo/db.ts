import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_NAME_ENV } from '../table-definition.ts';

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
