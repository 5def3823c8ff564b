import type { AuditEntry, IdempotencyAnswer, InstructionDecision } from './change-set.ts';
import type { LegalBasis, PendingNotice, StopPaymentInstruction } from './entities.ts';
import { StateConflict } from './errors.ts';
import { isHeld } from './instruction-lifecycle.ts';
import { expiryDelta } from './totals.ts';

/** holdUntil = now + holdHours (docs/api.md "Holds and releases": order and extend alike). */
export const holdEnd = (from: Date | string, holdHours: number): string =>
  new Date(new Date(from).getTime() + holdHours * 3_600_000).toISOString();

/**
 * An extension (or a shortening) of a hold: holdUntil = request time + holdHours, with its legal
 * basis, the notice the bank is owed (push banks; pull banks see it in their inbox), the audit entry
 * and the idempotent answer. Only a hold (FROZEN, PARTIALLY_FROZEN) can be extended, else 409.
 */
export function decideExtension(
  current: StopPaymentInstruction,
  input: {
    holdUntil: string;
    holdHours: number;
    legalBasis: LegalBasis;
    at: string;
    actor: string;
    notice: PendingNotice | undefined;
    idempotency: IdempotencyAnswer;
  },
): InstructionDecision & { shortened: boolean } {
  if (!isHeld(current.status)) {
    throw new StateConflict(
      `instruction ${current.instructionId} is ${current.status}: only a hold (FROZEN or PARTIALLY_FROZEN) can be extended`,
      'HOLD_NOT_ACTIVE',
    );
  }
  const shortened = current.holdUntil !== null && Date.parse(input.holdUntil) < Date.parse(current.holdUntil);
  return {
    shortened,
    patch: {
      holdUntil: input.holdUntil,
      holdHours: input.holdHours,
      holdLegalBasis: input.legalBasis,
      extendedAt: input.at,
      ...(input.notice ? { pendingNotice: input.notice } : {}),
    },
    with: { idempotency: input.idempotency },
    audit: [
      { actor: input.actor, action: 'HOLD_EXTENDED', subject: `${current.instructionId}:${input.holdUntil}` },
    ],
  };
}

/**
 * A hold whose holdUntil has passed unextended: EXPIRED, what it still held moves from frozen to
 * expired in the totals and leaves what the bank holds, a reservation of a stalled release lapses
 * with it, and the bank is owed an EXPIRED notice. Undefined: nothing to expire (not held any more,
 * extended, or a release that moved since `seenReleasePending` was read: look again).
 */
export function decideExpiry(
  current: StopPaymentInstruction,
  input: {
    now: Date;
    /** A release of this hold is still with the bank: it decides what happens to the funds. */
    releaseLive: boolean;
    seenReleasePending: bigint;
    notice: PendingNotice | undefined;
    actor: string;
  },
): InstructionDecision | undefined {
  if (!isHeld(current.status) || (current.releasePending > 0n && input.releaseLive)) return undefined;
  if (current.releasePending !== input.seenReleasePending) return undefined;
  if (!current.holdUntil || Date.parse(current.holdUntil) > input.now.getTime()) return undefined;
  const stillHeld = current.frozen;
  const audit: AuditEntry = {
    actor: input.actor,
    action: 'HOLD_EXPIRED',
    subject: `${current.instructionId}:${stillHeld.currency}:${stillHeld.minor}:${current.holdUntil}`,
  };
  return {
    patch: {
      status: 'EXPIRED',
      frozen: { currency: stillHeld.currency, minor: 0n },
      expired: stillHeld,
      expiredAt: input.now.toISOString(),
      releasePending: 0n,
      ...(input.notice ? { pendingNotice: input.notice } : {}),
    },
    totals: expiryDelta(current.status, stillHeld),
    with: { bankHeld: [{ bankId: current.bankId, amount: { ...stillHeld, minor: -stillHeld.minor } }] },
    audit: [audit],
  };
}
