import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit-chain.ts';
import { keys, skPrefix } from '../keys.ts';
import type { Db } from './db.ts';
import { type AuditChain, type LabeledOp, transact } from './transact.ts';

/** An audit entry committed with its change and not chained yet (transact.ts auditIntentOps). */
export interface AuditIntent {
  key: { PK: string; SK: string };
  at: string;
  actor: string;
  action: string;
  subject: string;
}

/** The oldest `limit` entries of a chain waiting to be chained, in order (consistent read). */
export async function readAuditIntents(db: Db, chain: AuditChain, limit: number): Promise<AuditIntent[]> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': chain.eventsPk, ':prefix': skPrefix.auditIntent },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map((item) => ({
    key: { PK: String(item.PK), SK: String(item.SK) },
    at: String(item.at),
    actor: String(item.actor),
    action: String(item.action),
    subject: String(item.subject),
  }));
}

/** How many entries of a chain wait to be chained (docs/api.md "Audit" `pending`): a counting Query. */
export async function countAuditIntents(db: Db, chain: AuditChain): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': chain.eventsPk, ':prefix': skPrefix.auditIntent },
        ConsistentRead: true,
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** Entries chained per transaction: an event, the entry's removal each, and the head (≤ 100 items). */
export const SEQUENCE_BATCH = 49;

/**
 * Appends `events` (linked after `prev`) and removes the entries they chain, in ONE transaction
 * conditioned on the head still being `prev` and on every entry still waiting: a sequencer that
 * raced another fails whole and reads again (TransactionConflict).
 */
export async function appendToChain(
  db: Db,
  chain: AuditChain,
  prev: { seq: number },
  events: readonly AuditEvent[],
  chained: readonly AuditIntent[],
): Promise<void> {
  const last = events.at(-1);
  if (!last) return;
  const ops: LabeledOp[] = [
    ...events.map((event) => ({
      label: 'auditEvent',
      op: {
        Put: {
          TableName: db.table,
          Item: { ...keys.auditEvent(chain.eventsPk, event.seq), type: 'AuditEvent', ...event },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    })),
    ...chained.map((intent) => ({
      label: 'auditIntent',
      op: {
        Delete: { TableName: db.table, Key: intent.key, ConditionExpression: 'attribute_exists(PK)' },
      },
    })),
    {
      label: 'chainHead',
      op: {
        Update: {
          TableName: db.table,
          Key: chain.headKey,
          UpdateExpression: 'SET auditSeq = :next, auditHead = :hash',
          ConditionExpression:
            prev.seq === 0 ? 'attribute_not_exists(auditSeq) OR auditSeq = :prev' : 'auditSeq = :prev',
          ExpressionAttributeValues: { ':next': last.seq, ':hash': last.hash, ':prev': prev.seq },
        },
      },
    },
  ];
  await transact(db, ops);
}
