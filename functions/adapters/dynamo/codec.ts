import type { AuditEvent } from '../../domain/audit-chain.ts';
import type {
  BankDirectoryEntry,
  FraudCase,
  FreezeOrder,
  StopPaymentInstruction,
  TrailEdge,
} from '../../domain/entities.ts';
import { sortableInstructionId } from '../../domain/ids.ts';
import type { InstructionStatus } from '../../domain/instruction-lifecycle.ts';
import { fromMoneyJson, type Money, type MoneyJson, toMoneyJson } from '../../domain/money.ts';
import type { ReasonNotFollowed } from '../../domain/money-trail.ts';
import { keys } from '../keys.ts';
import { changeFeedAttributes } from './change-feed-index.ts';
import { dueIndexAttributes } from './due-index.ts';

/** Item <-> entity. Money is stored as {currency, minor: string}; counters (totals) as numbers. */
export type Item = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const optStr = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const nullableStr = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const moneyOf = (v: unknown): Money => fromMoneyJson(v as MoneyJson);
const zeroOf = (v: unknown): Money => ({ currency: (v as MoneyJson).currency, minor: 0n });

export function caseToItem(c: FraudCase): Item {
  return {
    ...keys.case(c.caseId),
    type: 'Case',
    ...c,
    reportedLoss: toMoneyJson(c.reportedLoss),
    auditSeq: 0,
  };
}

export function caseFromItem(item: Item): FraudCase {
  return {
    caseId: str(item.caseId),
    agencyId: str(item.agencyId),
    reference: str(item.reference),
    reportedLoss: moneyOf(item.reportedLoss),
    reportedAt: str(item.reportedAt),
    summary: optStr(item.summary),
    openedAt: str(item.openedAt),
    openedBy: str(item.openedBy),
  };
}

export function orderToItem(o: FreezeOrder): Item {
  return { ...keys.order(o.caseId, o.orderId), type: 'FreezeOrder', ...o };
}

export function orderFromItem(item: Item): FreezeOrder {
  return {
    caseId: str(item.caseId),
    orderId: str(item.orderId),
    legalBasis: item.legalBasis as FreezeOrder['legalBasis'],
    holdHours: Number(item.holdHours),
    submittedAt: str(item.submittedAt),
    submittedBy: str(item.submittedBy),
    instructionIds: (item.instructionIds as string[] | undefined) ?? [],
  };
}

export function instructionToItem(i: StopPaymentInstruction): Item {
  return {
    ...keys.instruction(i.caseId, i.instructionId),
    type: 'Instruction',
    // Inbox indexes (access pattern 2): oldest first per bank, and per bank and status; ids of one
    // order (created together) in numeric order.
    GSI1PK: keys.inbox(i.bankId),
    GSI1SK: `${i.createdAt}#${sortableInstructionId(i.instructionId)}`,
    GSI2PK: keys.inboxByStatus(i.bankId, i.status),
    GSI2SK: `${i.createdAt}#${sortableInstructionId(i.instructionId)}`,
    ...dueIndexAttributes(i),
    ...i,
    ...changeFeedAttributes(i.bankId, i.instructionId, i.updatedAt ?? i.createdAt),
    requested: toMoneyJson(i.requested),
    frozen: toMoneyJson(i.frozen),
    released: toMoneyJson(i.released),
    expired: toMoneyJson(i.expired),
    cashWithdrawn: toMoneyJson(i.cashWithdrawn),
  };
}

export function instructionFromItem(item: Item): StopPaymentInstruction {
  return {
    kind: (item.kind as StopPaymentInstruction['kind'] | undefined) ?? 'FREEZE',
    caseId: str(item.caseId),
    agencyId: str(item.agencyId),
    orderId: str(item.orderId),
    instructionId: str(item.instructionId),
    bankId: str(item.bankId),
    accountNumber: str(item.accountNumber),
    accountName: optStr(item.accountName),
    requested: moneyOf(item.requested),
    hop: Number(item.hop),
    parentInstructionId: nullableStr(item.parentInstructionId),
    status: item.status as InstructionStatus,
    legalBasis: item.legalBasis as StopPaymentInstruction['legalBasis'],
    holdHours: Number(item.holdHours),
    frozen: moneyOf(item.frozen),
    released: item.released ? moneyOf(item.released) : zeroOf(item.requested),
    releasePending: BigInt((item.releasePending as number | bigint | undefined) ?? 0),
    expired: item.expired ? moneyOf(item.expired) : zeroOf(item.requested),
    cashWithdrawn: moneyOf(item.cashWithdrawn),
    late: item.late === true,
    createdAt: str(item.createdAt),
    dispatchedAt: nullableStr(item.dispatchedAt),
    deadlineAt: nullableStr(item.deadlineAt),
    holdUntil: nullableStr(item.holdUntil),
    confirmedAt: nullableStr(item.confirmedAt),
    escalatedAt: nullableStr(item.escalatedAt),
    overdueAt: nullableStr(item.overdueAt),
    reminderDeadlineAt: nullableStr(item.reminderDeadlineAt),
    deliveryStartedAt: nullableStr(item.deliveryStartedAt),
    deliveryAttempts: item.deliveryAttempts === undefined ? 0 : Number(item.deliveryAttempts),
    nextAttemptAt: nullableStr(item.nextAttemptAt),
    redeliverUntil: nullableStr(item.redeliverUntil),
    lastDeliveryError: nullableStr(item.lastDeliveryError),
    remindedAt: nullableStr(item.remindedAt),
    dispatchFailedAt: nullableStr(item.dispatchFailedAt),
    expiredAt: nullableStr(item.expiredAt),
    pendingNotice: (item.pendingNotice as StopPaymentInstruction['pendingNotice'] | undefined) ?? null,
    followPending: item.followPending === true,
    trailResolvedAt: nullableStr(item.trailResolvedAt),
    transferredAt: optStr(item.transferredAt),
    reference: optStr(item.reference),
    version: item.version === undefined ? 0 : Number(item.version),
    updatedAt: optStr(item.updatedAt) ?? str(item.createdAt),
    releasesInstructionId: optStr(item.releasesInstructionId),
    disposition: item.disposition as StopPaymentInstruction['disposition'],
  };
}

/** Field by field: nothing but these attributes reaches the bank item (never a secret). */
export function bankToItem(b: BankDirectoryEntry): Item {
  return {
    ...keys.bank(b.bankId),
    type: 'Bank',
    bankId: b.bankId,
    name: b.name,
    mode: b.mode,
    endpoint: b.endpoint,
    slaSeconds: b.slaSeconds,
    signingSecretRef: b.signingSecretRef,
    signingSecretsValid: b.signingSecretsValid,
    registeredAt: b.registeredAt,
    updatedAt: b.updatedAt,
  };
}

export function bankFromItem(item: Item): BankDirectoryEntry {
  return {
    bankId: str(item.bankId),
    name: str(item.name),
    mode: item.mode as BankDirectoryEntry['mode'],
    endpoint: optStr(item.endpoint),
    slaSeconds: Number(item.slaSeconds),
    signingSecretRef: optStr(item.signingSecretRef),
    signingSecretsValid: Number(item.signingSecretsValid ?? 0),
    registeredAt: str(item.registeredAt),
    updatedAt: str(item.updatedAt),
  };
}

export function edgeToItem(caseId: string, e: TrailEdge): Item {
  return {
    ...keys.trailEdge(caseId, e.fromInstructionId, e.transferIndex),
    type: 'TrailEdge',
    caseId,
    ...e,
    amount: toMoneyJson(e.amount),
  };
}

export function edgeFromItem(item: Item): TrailEdge {
  return {
    fromInstructionId: str(item.fromInstructionId),
    transferIndex: Number(item.transferIndex),
    toInstructionId: nullableStr(item.toInstructionId),
    toBankId: str(item.toBankId),
    toAccount: str(item.toAccount),
    amount: moneyOf(item.amount),
    transferredAt: nullableStr(item.transferredAt),
    followed: item.followed === true,
    reasonNotFollowed: item.reasonNotFollowed as ReasonNotFollowed | undefined,
  };
}

/** Counter attribute names of the totals items: `amt_<bucket>_<CUR>` and `cnt_<STATUS>`. */
export const amountCounter = (bucket: string, currency: string): string => `amt_${bucket}_${currency}`;
export const statusCounter = (status: string): string => `cnt_${status}`;

/** Reads the per-currency counters of one bucket from a totals item. */
export function readAmountCounters(item: Item, bucket: string): Map<string, bigint> {
  const prefix = `amt_${bucket}_`;
  const out = new Map<string, bigint>();
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(prefix)) out.set(name.slice(prefix.length), BigInt(value as number | bigint));
  }
  return out;
}

export function readStatusCounters(item: Item): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith('cnt_')) out.set(name.slice(4), Number(value));
  }
  return out;
}

export function auditEventFromItem(item: Item): AuditEvent {
  return {
    seq: Number(item.seq),
    at: str(item.at),
    actor: str(item.actor),
    action: str(item.action),
    subject: str(item.subject),
    prevHash: str(item.prevHash),
    hash: str(item.hash),
  };
}
