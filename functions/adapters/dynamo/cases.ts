import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, GENESIS_HASH, nextAuditEvent } from '../../domain/audit-chain.ts';
import type { FraudCase, FreezeOrder, StopPaymentInstruction, TrailEdge } from '../../domain/entities.ts';
import { toMoneyJson } from '../../domain/money.ts';
import { keys, skPrefix } from '../keys.ts';
import {
  auditEventFromItem,
  caseFromItem,
  caseToItem,
  edgeFromItem,
  type Item,
  instructionFromItem,
  orderFromItem,
} from './codec.ts';
import type { Db } from './db.ts';
import { idempotencyCompleteOp, type StoredResponse } from './idempotency.ts';
import { type AuditChange, type LabeledOp, transact } from './transact.ts';

/** Opens a case: case (chain head at seq 1), empty totals, first audit event, idempotency record. */
export async function openCase(
  db: Db,
  fraudCase: FraudCase,
  audit: AuditChange,
  idempotency: { callerScope: string; key: string; hash: string; response: StoredResponse },
  nowMs: number,
): Promise<void> {
  const event = nextAuditEvent({ seq: 0, hash: GENESIS_HASH }, { at: fraudCase.openedAt, ...audit });
  const ops: LabeledOp[] = [
    {
      label: 'case',
      op: {
        Put: {
          TableName: db.table,
          Item: { ...caseToItem(fraudCase), auditSeq: event.seq, auditHead: event.hash },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    {
      label: 'caseTotals',
      op: {
        Put: {
          TableName: db.table,
          Item: {
            ...keys.caseTotals(fraudCase.caseId),
            type: 'CaseTotals',
            caseId: fraudCase.caseId,
            agencyId: fraudCase.agencyId,
            reportedLoss: toMoneyJson(fraudCase.reportedLoss),
            updatedAt: fraudCase.openedAt,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    {
      label: 'auditEvent',
      op: {
        Put: {
          TableName: db.table,
          Item: { ...keys.auditEvent(keys.casePartition(fraudCase.caseId), 1), type: 'AuditEvent', ...event },
        },
      },
    },
    idempotencyCompleteOp(
      db,
      idempotency.callerScope,
      idempotency.key,
      idempotency.hash,
      idempotency.response,
      nowMs,
    ),
  ];
  await transact(db, ops);
}

export async function getCase(db: Db, caseId: string): Promise<FraudCase | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.case(caseId), ConsistentRead: true }),
  );
  return out.Item ? caseFromItem(out.Item) : undefined;
}

export async function getCaseTotalsItem(db: Db, caseId: string): Promise<Item | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.caseTotals(caseId), ConsistentRead: true }),
  );
  return out.Item;
}

/** Every item of a case partition whose sort key starts with `prefix` (all pages, consistent). */
export async function queryCase(db: Db, caseId: string, prefix = ''): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await db.doc.send(
      new QueryCommand({
        TableName: db.table,
        KeyConditionExpression: prefix ? 'PK = :pk AND begins_with(SK, :prefix)' : 'PK = :pk',
        ExpressionAttributeValues: prefix
          ? { ':pk': keys.casePartition(caseId), ':prefix': prefix }
          : { ':pk': keys.casePartition(caseId) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export interface CaseView {
  fraudCase: FraudCase;
  orders: FreezeOrder[];
  instructions: StopPaymentInstruction[];
  edges: TrailEdge[];
  confirmations: Item[];
  totals: Item | undefined;
  auditEvents: AuditEvent[];
}

/** Access pattern 1: a case with everything in it, one Query (paged). */
export async function loadCaseView(db: Db, caseId: string): Promise<CaseView | undefined> {
  const items = await queryCase(db, caseId);
  const caseItem = items.find((i) => i.SK === '#CASE');
  if (!caseItem) return undefined;
  const bySk = (prefix: string) => items.filter((i) => String(i.SK).startsWith(prefix));
  return {
    fraudCase: caseFromItem(caseItem),
    orders: bySk(skPrefix.order).map(orderFromItem),
    instructions: bySk(skPrefix.instruction).map(instructionFromItem),
    edges: bySk(skPrefix.trailEdge).map(edgeFromItem),
    confirmations: bySk(skPrefix.confirmation),
    totals: items.find((i) => i.SK === '#TOTALS'),
    auditEvents: bySk(skPrefix.auditEvent).map(auditEventFromItem),
  };
}
