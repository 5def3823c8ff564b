import type { InstructionIdentity, StopPaymentInstruction } from './entities.ts';
import { zero } from './money.ts';

/** What identifies a new instruction; everything else starts empty (PENDING, nothing held yet). */
export type NewInstruction = Pick<
  StopPaymentInstruction,
  InstructionIdentity | 'hop' | 'parentInstructionId' | 'legalBasis' | 'holdHours'
> &
  Partial<
    Pick<
      StopPaymentInstruction,
      'kind' | 'accountName' | 'transferredAt' | 'reference' | 'releasesInstructionId' | 'disposition'
    >
  >;

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
    deliveryStartedAt: null,
    deliveryAttempts: 0,
    nextAttemptAt: null,
    redeliverUntil: null,
    lastDeliveryError: null,
    remindedAt: null,
    dispatchFailedAt: null,
    expiredAt: null,
    pendingNotice: null,
    followPending: false,
    trailResolvedAt: null,
  };
}
