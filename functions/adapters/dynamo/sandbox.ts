import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SandboxDelivery } from '../../domain/sandbox.ts';
import { keys } from '../keys.ts';
import type { Db } from './db.ts';

/** Sandbox records live a day (TTL on expiresAt; DynamoDB Local never deletes, nothing reads old ones). */
const SANDBOX_TTL_SECONDS = 24 * 3600;

export async function putSandboxDelivery(db: Db, record: SandboxDelivery): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.table,
      Item: {
        ...keys.sandboxDelivery(record.bankId, record.deliveryId),
        type: 'SandboxDelivery',
        ...record,
        expiresAt: Math.floor(Date.parse(record.createdAt) / 1000) + SANDBOX_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(PK) OR version = :seen',
      ExpressionAttributeValues: { ':seen': record.version - 1 },
    }),
  );
}

export async function getSandboxDelivery(
  db: Db,
  bankId: string,
  deliveryId: string,
): Promise<SandboxDelivery | undefined> {
  const out = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: keys.sandboxDelivery(bankId, deliveryId),
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const { PK: _pk, SK: _sk, type: _type, expiresAt: _exp, ...record } = out.Item;
  return record as SandboxDelivery;
}

/** The push's outcome, set after the attempt (a confirmation may already have come in). */
export async function markSandboxDelivered(
  db: Db,
  bankId: string,
  deliveryId: string,
  delivered: boolean,
  detail: string | undefined,
): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.sandboxDelivery(bankId, deliveryId),
      UpdateExpression: detail ? 'SET delivered = :d, detail = :why' : 'SET delivered = :d',
      ExpressionAttributeValues: { ':d': delivered, ...(detail ? { ':why': detail } : {}) },
    }),
  );
}
