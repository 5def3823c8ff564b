import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson, sha256Hex } from '../../domain/audit-chain.ts';
import { keys } from '../keys.ts';
import type { Db } from './db.ts';
import type { LabeledOp } from './transact.ts';

/**
 * Idempotency-Key records (docs/api.md Conventions). The record is written in the SAME transaction as the
 * change it answers for, so a replay can never see a change without its answer or the reverse.
 * Powertools' idempotency utility writes its record apart from the change, which is why it is not used.
 */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export interface IdempotencyRecord {
  requestHash: string;
  state: 'COMPLETE' | 'IN_PROGRESS';
  response?: StoredResponse;
  /** IN_PROGRESS only: ids chosen by the first attempt, reused by a takeover. */
  reserved?: Record<string, string>;
  leaseUntil?: string;
}

/** Records expire after 24 h (DynamoDB TTL attribute `expiresAt`, epoch seconds). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export const requestHash = (body: unknown): string => sha256Hex(canonicalJson(body));

export async function getIdempotencyRecord(
  db: Db,
  callerScope: string,
  key: string,
): Promise<IdempotencyRecord | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.idempotency(callerScope, key), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  // TTL is a hint (DynamoDB Local never deletes): an expired record is treated as absent.
  if (Number(out.Item.expiresAt) * 1000 < Date.now()) return undefined;
  return out.Item as unknown as IdempotencyRecord;
}

export function idempotencyCompleteOp(
  db: Db,
  callerScope: string,
  key: string,
  hash: string,
  response: StoredResponse,
  nowMs: number,
  expectInProgress = false,
): LabeledOp {
  const item = {
    ...keys.idempotency(callerScope, key),
    type: 'IdempotencyRecord',
    requestHash: hash,
    state: 'COMPLETE',
    response,
    expiresAt: Math.floor(nowMs / 1000) + IDEMPOTENCY_TTL_SECONDS,
  };
  return {
    label: 'idempotency',
    op: {
      Put: {
        TableName: db.table,
        Item: item,
        ConditionExpression: expectInProgress
          ? '#state = :inProgress AND requestHash = :hash'
          : 'attribute_not_exists(PK) OR expiresAt < :nowSeconds',
        ExpressionAttributeNames: expectInProgress ? { '#state': 'state' } : undefined,
        ExpressionAttributeValues: expectInProgress
          ? { ':inProgress': 'IN_PROGRESS', ':hash': hash }
          : { ':nowSeconds': Math.floor(nowMs / 1000) },
      },
    },
  };
}
