import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nextDue } from '../../domain/due-work.ts';
import type { StopPaymentInstruction } from '../../domain/entities.ts';
import { DUE_SHARDS, keys } from '../keys.ts';
import type { Db } from './db.ts';

/** Which due-index partition an instruction lives in (stable, spreads one case over all shards). */
export function dueShardOf(instructionId: string): number {
  return createHash('sha1').update(instructionId).digest()[0]! % DUE_SHARDS;
}

/**
 * The sparse index attributes of an instruction: present while it has a next step (the reconciler's
 * work list), absent once it reached an end. Written with every instruction write.
 */
export function dueIndexAttributes(i: StopPaymentInstruction): { GSI3PK?: string; GSI3SK?: string } {
  const due = nextDue(i);
  if (!due) return {};
  return { GSI3PK: keys.dueShard(dueShardOf(i.instructionId)), GSI3SK: `${due.at}#${i.instructionId}` };
}

/** The due time encoded in a GSI3SK value. */
export const dueAtOf = (gsi3sk: string): string => gsi3sk.slice(0, gsi3sk.indexOf('#'));

/** One entry of the due index as a sweep finds it. */
export interface DueEntry {
  caseId: string;
  instructionId: string;
  /** The GSI3SK value read: the claim is conditioned on it. */
  dueKey: string;
}

/**
 * The due entries of every shard whose time is at or before `cutoff`, oldest first per shard: one
 * Query per shard page (never a Scan). Reads only entries that are due, so its cost does not grow with
 * the number of open instructions that are not.
 */
export async function queryDue(db: Db, cutoff: Date, limit: number): Promise<DueEntry[]> {
  const out: DueEntry[] = [];
  for (let shard = 0; shard < DUE_SHARDS && out.length < limit; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          IndexName: 'due',
          KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK <= :cut',
          ExpressionAttributeValues: {
            ':pk': keys.dueShard(shard),
            ':cut': `${cutoff.toISOString()}#\uffff`,
          },
          ProjectionExpression: 'caseId, instructionId, GSI3SK',
          Limit: Math.min(100, limit - out.length),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        out.push({
          caseId: String(item.caseId),
          instructionId: String(item.instructionId),
          dueKey: String(item.GSI3SK),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < limit);
  }
  return out;
}

/**
 * Claims a due entry for `leaseMs`: moves its due time to now + lease, only if it is still the one
 * read. A second sweep (or a workflow that moved the instruction on) makes the condition fail: then
 * somebody else has it. The claim changes no state; the step's own write sets the next due time.
 */
export async function claimDue(db: Db, entry: DueEntry, now: Date, leaseMs: number): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.instruction(entry.caseId, entry.instructionId),
        UpdateExpression: 'SET GSI3SK = :lease',
        ConditionExpression: 'GSI3SK = :seen',
        ExpressionAttributeValues: {
          ':seen': entry.dueKey,
          ':lease': `${new Date(now.getTime() + leaseMs).toISOString()}#${entry.instructionId}`,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
