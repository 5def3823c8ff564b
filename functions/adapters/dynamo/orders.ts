import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { StateConflict } from '../../domain/errors.ts';
import { keys } from '../keys.ts';
import { batchGetAll, type Db } from './db.ts';
import type { IdempotencyRecord } from './idempotency.ts';

export interface OrderIdempotency {
  callerScope: string;
  key: string;
  hash: string;
}

/** Access pattern 6: how many holds each account already has in the case. */
export async function countHolds(
  db: Db,
  caseId: string,
  accounts: { bankId: string; accountNumber: string }[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const markers = accounts.map((a) => keys.targetedAccount(caseId, a.bankId, a.accountNumber));
  for (const item of await batchGetAll(db, markers)) {
    const ids = item.instructionIds as Set<string> | undefined;
    counts.set(`${item.bankId}/${item.accountNumber}`, ids?.size ?? 0);
  }
  return counts;
}

export const ORDER_LEASE_SECONDS = 60;

/**
 * Claims an idempotency key for a large order before its chunks are written. Returns the ids a
 * previous, crashed attempt reserved (so its chunks are overwritten with identical items), or
 * throws StateConflict while another attempt holds a live lease.
 */
export async function leaseLargeOrder(
  db: Db,
  idempotency: OrderIdempotency,
  existing: IdempotencyRecord | undefined,
  reserved: Record<string, string>,
  nowMs: number,
): Promise<Record<string, string>> {
  const leaseUntil = new Date(nowMs + ORDER_LEASE_SECONDS * 1000).toISOString();
  if (
    existing?.state === 'IN_PROGRESS' &&
    existing.leaseUntil &&
    existing.leaseUntil > new Date(nowMs).toISOString()
  ) {
    throw new StateConflict(
      'an identical request with this Idempotency-Key is still in progress',
      'IN_PROGRESS',
    );
  }
  const keep = existing?.state === 'IN_PROGRESS' && existing.reserved ? existing.reserved : reserved;
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: {
          ...keys.idempotency(idempotency.callerScope, idempotency.key),
          type: 'IdempotencyRecord',
          requestHash: idempotency.hash,
          state: 'IN_PROGRESS',
          reserved: keep,
          leaseUntil,
          expiresAt: Math.floor(nowMs / 1000) + 24 * 3600,
        },
        ConditionExpression: existing ? 'leaseUntil = :seen' : 'attribute_not_exists(PK)',
        ExpressionAttributeValues: existing ? { ':seen': existing.leaseUntil } : undefined,
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') {
      throw new StateConflict(
        'an identical request with this Idempotency-Key is still in progress',
        'IN_PROGRESS',
      );
    }
    throw error;
  }
  return keep;
}
