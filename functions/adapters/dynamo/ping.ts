import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';
import { systemChain } from './transact.ts';

/**
 * One eventually consistent GetItem of a small item (the system audit chain's head, present or
 * not): resolves when the table answers, rejects on any error or when `signal` aborts.
 */
export async function pingTable(db: Db, signal: AbortSignal): Promise<void> {
  await db.doc.send(
    new GetCommand({ TableName: db.table, Key: systemChain.headKey, ProjectionExpression: 'PK' }),
    { abortSignal: signal },
  );
}
