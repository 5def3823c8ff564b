import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
import { type Db, queryAll } from './db.ts';
import { idempotencyCompleteOp, type StoredResponse } from './idempotency.ts';
import { type AuditChange, caseChain, type LabeledOp, readChainHead, transact } from './transact.ts';

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

/** A case's audit chain as of one moment (API.md "Audit"), read so that no write can fake a break. */
export interface CaseAuditRead {
  fraudCase: FraudCase;
  /** The chain head stored on the case item, read first. */
  head: { seq: number; hash: string };
  /** The events with seq <= head.seq: the chain as of the head. */
  events: AuditEvent[];
  /** Events committed after the head was read (a head read again covers them): not judged here. */
  pending: number;
  /** Events beyond even a second read of the head: no committed change put them there. */
  unchained: AuditEvent[];
}

/**
 * Reads the head FIRST (consistent GetItem of the case), then the events (consistent Query): every
 * event up to that head was committed in the same transaction as the head it moved (or an earlier
 * one), so it is in the Query; a read taken during writes sees a head that is never ahead of its
 * events. Events past the head are changes committed meanwhile: the head is read again and, if it
 * covers them, they are reported as `pending`; otherwise they are `unchained` (put there by
 * something other than a change of the case).
 */
export async function readCaseAudit(db: Db, caseId: string): Promise<CaseAuditRead | undefined> {
  const out = await db.doc.send(
    new GetCommand({ TableName: db.table, Key: keys.case(caseId), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  const head = { seq: Number(out.Item.auditSeq ?? 0), hash: String(out.Item.auditHead ?? GENESIS_HASH) };
  const all = (await queryCase(db, caseId, skPrefix.auditEvent)).map(auditEventFromItem);
  const events = all.filter((e) => e.seq <= head.seq);
  const later = all.filter((e) => !(e.seq <= head.seq));
  const read = { fraudCase: caseFromItem(out.Item), head, events, pending: 0, unchained: [] };
  if (later.length === 0) return read;
  const now = await readChainHead(db, caseChain(caseId));
  const unchained = later.filter((e) => !(e.seq <= now.seq));
  return { ...read, pending: later.length - unchained.length, unchained };
}
