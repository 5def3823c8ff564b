import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, GENESIS_HASH } from '../../domain/audit-chain.ts';
import type { FraudCase, FreezeOrder, StopPaymentInstruction, TrailEdge } from '../../domain/entities.ts';
import { toMoneyJson } from '../../domain/money.ts';
import { keys, skPrefix } from '../keys.ts';
import { countAuditIntents } from './audit-sequencer.ts';
import {
  auditEventFromItem,
  caseFromItem,
  caseToItem,
  edgeFromItem,
  type Item,
  instructionFromItem,
  orderFromItem,
} from './codec.ts';
import { type Db, queryAll } from './db.ts';
import { idempotencyCompleteOp, type StoredResponse } from './idempotency.ts';
import {
  type AuditChange,
  auditIntentOps,
  caseChain,
  type LabeledOp,
  readChainHead,
  transact,
} from './transact.ts';

/** Opens a case: case, empty totals, its first audit entry (chained by the sequencer), idempotency record. */
export async function openCase(
  db: Db,
  fraudCase: FraudCase,
  audit: AuditChange,
  idempotency: { callerScope: string; key: string; hash: string; response: StoredResponse },
  nowMs: number,
): Promise<void> {
  const ops: LabeledOp[] = [
    {
      label: 'case',
      op: {
        Put: {
          TableName: db.table,
          Item: caseToItem(fraudCase),
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
    ...auditIntentOps(db, caseChain(fraudCase.caseId), fraudCase.openedAt, [audit]),
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
export function queryCase(db: Db, caseId: string, prefix = ''): Promise<Item[]> {
  return queryAll(db, {
    KeyConditionExpression: prefix ? 'PK = :pk AND begins_with(SK, :prefix)' : 'PK = :pk',
    ExpressionAttributeValues: prefix
      ? { ':pk': keys.casePartition(caseId), ':prefix': prefix }
      : { ':pk': keys.casePartition(caseId) },
    ConsistentRead: true,
  });
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

/** A case's audit chain as of one moment (docs/api.md "Audit"), read so that no write can fake a break. */
export interface CaseAuditRead {
  fraudCase: FraudCase;
  /** The chain head stored on the case item, read first. */
  head: { seq: number; hash: string };
  /** The events with seq <= head.seq: the chain as of the head. */
  events: AuditEvent[];
  /** Changes committed and not chained yet, or chained after the head was read: not judged here. */
  pending: number;
  /** Events beyond even a second read of the head: no sequencer put them there. */
  unchained: AuditEvent[];
}

/**
 * Reads the head FIRST (consistent GetItem of the case), then the events, then the entries still
 * waiting to be chained (consistent Queries). The sequencer writes each event in the same
 * transaction as the head that covers it, so every event up to the head read is in the Query: a
 * read taken during writes never sees a head ahead of its events. Events past the head were
 * chained meanwhile: the head is read again and, if it covers them, they count as `pending`;
 * otherwise they are `unchained` (put there by something other than the sequencer).
 */
export async function readCaseAudit(db: Db, caseId: string): Promise<CaseAuditRead | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.case(caseId), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  const head = { seq: Number(out.Item.auditSeq ?? 0), hash: String(out.Item.auditHead ?? GENESIS_HASH) };
  const all = (await queryCase(db, caseId, skPrefix.auditEvent)).map(auditEventFromItem);
  const waiting = await countAuditIntents(db, caseChain(caseId));
  const events = all.filter((e) => e.seq <= head.seq);
  const later = all.filter((e) => !(e.seq <= head.seq));
  const read = { fraudCase: caseFromItem(out.Item), head, events, pending: waiting, unchained: [] };
  if (later.length === 0) return read;
  const now = await readChainHead(db, caseChain(caseId));
  const unchained = later.filter((e) => !(e.seq <= now.seq));
  return { ...read, pending: waiting + later.length - unchained.length, unchained };
}
