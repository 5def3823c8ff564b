import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { GENESIS_HASH } from '../../domain/audit-chain.ts';
import { keys } from '../keys.ts';
import type { Db } from './db.ts';

export type TxOp = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A transaction item with a name, so a cancelled transaction says which condition failed. */
export interface LabeledOp {
  label: string;
  op: TxOp;
}

export class TransactionConflict extends Error {
  override readonly name = 'TransactionConflict';
  constructor(
    readonly failedLabels: string[],
    /** True when DynamoDB cancelled for a concurrent transaction rather than a failed condition. */
    readonly contended: boolean,
  ) {
    super(`transaction cancelled: ${failedLabels.join(', ') || 'contention'}`);
  }
}

export const MAX_TRANSACTION_ITEMS = 100;

export async function transact(db: Db, ops: LabeledOp[]): Promise<void> {
  if (ops.length > MAX_TRANSACTION_ITEMS) throw new Error(`transaction of ${ops.length} items (max 100)`);
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.op) }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) =>
        r.Code === 'ConditionalCheckFailed' ? [ops[i]?.label ?? `#${i}`] : [],
      );
      const contended = reasons.some((r) => r.Code === 'TransactionConflict');
      throw new TransactionConflict(failed, contended && failed.length === 0);
    }
    throw error;
  }
}

/** One audit-worthy change (docs/api.md "Audit"); seq and hashes are added when it is chained. */
export interface AuditChange {
  actor: string;
  action: string;
  subject: string;
}

/** Where a chain lives: its head item and the partition its events go to. */
export interface AuditChain {
  headKey: { PK: string; SK: string };
  eventsPk: string;
}

export const caseChain = (caseId: string): AuditChain => ({
  headKey: keys.case(caseId),
  eventsPk: keys.casePartition(caseId),
});
export const systemChain: AuditChain = {
  headKey: { PK: keys.systemChain, SK: '#HEAD' },
  eventsPk: keys.systemChain,
};
/** The chain whose events live in partition `pk` (undefined: no chain there). */
export function chainOfPartition(pk: string): AuditChain | undefined {
  if (pk === keys.systemChain) return systemChain;
  const casePrefix = keys.casePartition('');
  return pk.startsWith(casePrefix) && pk.length > casePrefix.length
    ? caseChain(pk.slice(casePrefix.length))
    : undefined;
}

export interface ChainedChange<T> {
  ops: LabeledOp[];
  audit: AuditChange[];
  result: T;
  /** Labels whose failed condition means "state moved under us: decide again". */
  retryOn?: string[];
}

/** A change kept contending (or its state kept moving) through every attempt: answered 503. */
export class ChainRetriesExhausted extends Error {
  override readonly name = 'ChainRetriesExhausted';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function readChainHead(db: Db, chain: AuditChain): Promise<{ seq: number; hash: string }> {
  const head = await db.doc.send(
    new GetCommand({
      TableName: db.table,
      Key: chain.headKey,
      ConsistentRead: true,
      ProjectionExpression: 'auditSeq, auditHead',
    }),
  );
  return { seq: Number(head.Item?.auditSeq ?? 0), hash: String(head.Item?.auditHead ?? GENESIS_HASH) };
}

/**
 * The audit entries of one change as items of their own, waiting to be chained (one per entry, so
 * no two changes ever write the same item). The chain's sequencer (functions/app/sequence-audit.ts)
 * appends them in order from the table's stream and moves the head: a change never reads or
 * writes anything shared by every change of its case.
 */
export function auditIntentOps(db: Db, chain: AuditChain, at: string, audit: AuditChange[]): LabeledOp[] {
  const changeId = randomUUID();
  return audit.map((a, index) => ({
    label: 'auditIntent',
    op: {
      Put: {
        TableName: db.table,
        Item: {
          ...keys.auditIntent(chain.eventsPk, at, changeId, index),
          type: 'AuditIntent',
          at,
          actor: a.actor,
          action: a.action,
          subject: a.subject,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  }));
}

/**
 * Commits a change together with its audit entries in ONE transaction. `build` runs again on every
 * attempt and must read the state it decides on: a failed condition listed in `retryOn` (the state
 * moved under us) or a transaction DynamoDB cancelled for a concurrent one means "decide again".
 * Nothing here is shared between the changes of a case (see auditIntentOps), so two sandboxes
 * recording changes of one case contend only when they change the same item.
 */
export async function commitChainedChange<T>(
  db: Db,
  chain: AuditChain,
  at: () => string,
  build: () => Promise<ChainedChange<T>>,
  maxAttempts = 12,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const change = await build();
    if (change.ops.length === 0 && change.audit.length === 0) return change.result;
    try {
      await transact(db, [...change.ops, ...auditIntentOps(db, chain, at(), change.audit)]);
      return change.result;
    } catch (error) {
      if (!(error instanceof TransactionConflict)) throw error;
      const retryable = error.contended || error.failedLabels.some((l) => change.retryOn?.includes(l));
      if (!retryable) throw error;
      if (attempt >= maxAttempts) throw new ChainRetriesExhausted(`gave up after ${attempt} attempts`);
      await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
  }
}
