import type { LegalBasis, StopPaymentInstruction } from './entities.ts';
import { type Money, zero } from './money.ts';

/** What identifies a new instruction; everything else starts empty (PENDING, nothing held yet). */
export interface NewInstruction {
  kind?: StopPaymentInstruction['kind'];
  caseId: string;
  agencyId: string;
  orderId: string;
  instructionId: string;
  bankId: string;
  accountNumber: string;
  accountName?: string | undefined;
  requested: Money;
  hop: number;
  parentInstructionId: string | null;
  legalBasis: LegalBasis;
  holdHours: number;
  createdAt: string;
  transferredAt?: string | undefined;
  reference?: string | undefined;
  releasesInstructionId?: string | undefined;
  disposition?: StopPaymentInstruction['disposition'];
}

export function newInstruction(fields: NewInstruction): StopPaymentInstruction {
  const none = zero(fields.requested.currency);
  return {
    kind: 'FREEZE',
    ...fields,
    status: 'PENDING',
    frozen: none,
    released: none,
    releasePending: 0n,
    expired: none,
    cashWithdrawn: none,
    late: false,
    dispatchedAt: null,
    deadlineAt: null,
    holdUntil: null,
    confirmedAt: null,
    escalatedAt: null,
    overdueAt: null,
    reminderDeadlineAt: null,
  };
}
