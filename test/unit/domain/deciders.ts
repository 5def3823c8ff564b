import type { StopPaymentInstruction } from '../../../functions/domain/entities.ts';
import { money } from '../../../functions/domain/money.ts';
import { newInstruction } from '../../../functions/domain/new-instruction.ts';

/** Instructions for the pure deciders' tests (no table anywhere). */
export const cny = (minor: bigint) => money('CNY', minor);
export const AT = '2026-11-20T10:00:00.000Z';

export function freeze(over: Partial<StopPaymentInstruction> = {}): StopPaymentInstruction {
  return {
    ...newInstruction({
      caseId: 'C1',
      agencyId: 'PSB-1',
      orderId: 'C1.O1',
      instructionId: 'C1.O1.0',
      bankId: 'B1',
      accountNumber: 'A1',
      requested: cny(1_000n),
      hop: 1,
      parentInstructionId: null,
      legalBasis: { kind: 'k', reference: 'r', issuedBy: 'i', issuedAt: AT },
      holdHours: 48,
      createdAt: AT,
    }),
    version: 3,
    ...over,
  };
}

/** A hold: FROZEN (or PARTIALLY_FROZEN) with `frozen` held and `releasePending` reserved. */
export const hold = (frozen: bigint, releasePending = 0n, over: Partial<StopPaymentInstruction> = {}) =>
  freeze({
    status: frozen === 1_000n ? 'FROZEN' : 'PARTIALLY_FROZEN',
    frozen: cny(frozen),
    releasePending,
    holdUntil: '2026-11-22T10:00:00.000Z',
    confirmedAt: AT,
    ...over,
  });

export function releaseOf(
  held: StopPaymentInstruction,
  minor: bigint,
  over: Partial<StopPaymentInstruction> = {},
) {
  return freeze({
    kind: 'RELEASE',
    instructionId: 'C1.R1',
    requested: cny(minor),
    releasesInstructionId: held.instructionId,
    disposition: 'RETURN_TO_VICTIM',
    status: 'DISPATCHED',
    ...over,
  });
}
