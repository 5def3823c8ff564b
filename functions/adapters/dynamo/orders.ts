import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FreezeOrder, StopPaymentInstruction } from '../../domain/entities.ts';
import { StateConflict } from '../../domain/errors.ts';
import { instructionsCreatedDelta } from '../../domain/totals.ts';
import { keys } from '../keys.ts';
import { instructionToItem, orderToItem } from './codec.ts';
import { batchGetAll, type Db } from './db.ts';
import { type IdempotencyRecord, idempotencyCompleteOp, type StoredResponse } from './idempotency.ts';
import { caseTotalsOp } from './totals-ops.ts';
import {
  type AuditChange,
  caseChain,
  commitChainedChange,
  type LabeledOp,
  MAX_TRANSACTION_ITEMS,
  TransactionConflict,
  transact,
} from './transact.ts';

/** API.md / issue "holds": an account may be placed on hold at most twice per case. */
export const MAX_HOLDS_PER_ACCOUNT = 2;

export interface OrderIdempotency {
  callerScope: string;
  key: string;
  hash: string;
  response: StoredResponse;
}

export function instructionPutOp(
  db: Db,
  instruction: StopPaymentInstruction,
  conditional: boolean,
): LabeledOp {
  return {
    label: `instruction:${instruction.instructionId}`,
    op: {
      Put: {
        TableName: db.table,
        Item: instructionToItem(instruction),
        ConditionExpression: conditional ? 'attribute_not_exists(PK)' : undefined,
      },
    },
  };
}

/**
 * Adds the instruction to the account's marker in the case (its set of holds). `holdLimit` (an
 * order): refused past MAX_HOLDS_PER_ACCOUNT, re-runnable. `firstTarget` (a follow-on): refused when
 * the account is already targeted in the case, which stops the trail at a cycle.
 */
export function targetedAccountOp(
  db: Db,
  instruction: Pick<StopPaymentInstruction, 'caseId' | 'bankId' | 'accountNumber' | 'instructionId'>,
  rule: 'holdLimit' | 'firstTarget' = 'holdLimit',
): LabeledOp {
  const holdLimit = rule === 'holdLimit';
  return {
    label: holdLimit ? `account:${instruction.bankId}/${instruction.accountNumber}` : 'followOnAccount',
    op: {
      Update: {
        TableName: db.table,
        Key: keys.targetedAccount(instruction.caseId, instruction.bankId, instruction.accountNumber),
        UpdateExpression:
          'SET #type = :type, bankId = :bank, accountNumber = :account ADD instructionIds :ids',
        ConditionExpression: holdLimit
          ? 'attribute_not_exists(instructionIds) OR size(instructionIds) < :max OR contains(instructionIds, :id)'
          : 'attribute_not_exists(instructionIds)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'TargetedAccount',
          ':bank': instruction.bankId,
          ':account': instruction.accountNumber,
          ':ids': new Set([instruction.instructionId]),
          // DynamoDB refuses values the expressions do not use.
          ...(holdLimit ? { ':id': instruction.instructionId, ':max': MAX_HOLDS_PER_ACCOUNT } : {}),
        },
      },
    },
  };
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

function holdLimitConflict(labels: string[]): StateConflict {
  const accounts = labels.filter((l) => l.startsWith('account:')).map((l) => l.slice('account:'.length));
  return new StateConflict(
    `account(s) ${accounts.join(', ')} already placed on hold ${MAX_HOLDS_PER_ACCOUNT} times in this case`,
    'MAX_HOLDS_PER_ACCOUNT',
  );
}

/**
 * Writes an order: order, instructions, targeted-account markers, totals, audit event and the
 * idempotency record. One transaction when it fits DynamoDB's 100 items; otherwise the instructions
 * go first in re-runnable chunks (unconditional puts of deterministic items, set-ADD markers) under
 * an IN_PROGRESS idempotency lease, and the order, totals, audit and answer commit last, once.
 */
export async function submitFreezeOrder(
  db: Db,
  order: FreezeOrder,
  instructions: StopPaymentInstruction[],
  audit: AuditChange,
  idempotency: OrderIdempotency,
  now: () => Date,
): Promise<void> {
  const at = () => now().toISOString();
  const finalOps = (expectInProgress: boolean): LabeledOp[] => [
    {
      label: 'order',
      op: {
        Put: {
          TableName: db.table,
          Item: orderToItem(order),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    caseTotalsOp(
      db,
      order.caseId,
      instructionsCreatedDelta(instructions.length),
      order.submittedAt,
      instructions.map((i) => i.hop),
    ),
    idempotencyCompleteOp(
      db,
      idempotency.callerScope,
      idempotency.key,
      idempotency.hash,
      idempotency.response,
      now().getTime(),
      expectInProgress,
    ),
  ];
  const perInstruction = (i: StopPaymentInstruction, conditional: boolean) => [
    instructionPutOp(db, i, conditional),
    targetedAccountOp(db, i),
  ];

  const singleSize = 2 * instructions.length + finalOps(false).length + 2; // + audit event + chain head
  if (singleSize <= MAX_TRANSACTION_ITEMS) {
    try {
      await commitChainedChange(db, caseChain(order.caseId), at, async () => ({
        ops: [...instructions.flatMap((i) => perInstruction(i, true)), ...finalOps(false)],
        audit: [audit],
        result: undefined,
      }));
    } catch (error) {
      if (error instanceof TransactionConflict && error.failedLabels.some((l) => l.startsWith('account:'))) {
        throw holdLimitConflict(error.failedLabels);
      }
      throw error;
    }
    return;
  }

  const written: StopPaymentInstruction[] = [];
  const chunkSize = Math.floor(MAX_TRANSACTION_ITEMS / 2);
  try {
    for (let i = 0; i < instructions.length; i += chunkSize) {
      const chunk = instructions.slice(i, i + chunkSize);
      await transact(
        db,
        chunk.flatMap((instr) => perInstruction(instr, false)),
      );
      written.push(...chunk);
    }
  } catch (error) {
    await rollbackInstructions(db, written);
    if (error instanceof TransactionConflict && error.failedLabels.some((l) => l.startsWith('account:'))) {
      throw holdLimitConflict(error.failedLabels);
    }
    throw error;
  }
  await commitChainedChange(db, caseChain(order.caseId), at, async () => ({
    ops: finalOps(true),
    audit: [audit],
    result: undefined,
  }));
}

/** Undoes the chunks of an order that could not be completed (a hold-limit race lost mid-way). */
async function rollbackInstructions(db: Db, instructions: StopPaymentInstruction[]): Promise<void> {
  for (const i of instructions) {
    await db.doc.send(
      new DeleteCommand({ TableName: db.table, Key: keys.instruction(i.caseId, i.instructionId) }),
    );
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.targetedAccount(i.caseId, i.bankId, i.accountNumber),
        UpdateExpression: 'DELETE instructionIds :ids',
        ExpressionAttributeValues: { ':ids': new Set([i.instructionId]) },
      }),
    );
  }
}

export const ORDER_LEASE_SECONDS = 60;

/**
 * Claims an idempotency key for a large order before its chunks are written. Returns the ids a
 * previous, crashed attempt reserved (so its chunks are overwritten with identical items), or
 * throws StateConflict while another attempt holds a live lease.
 */
export async function leaseLargeOrder(
  db: Db,
  idempotency: Omit<OrderIdempotency, 'response'>,
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
