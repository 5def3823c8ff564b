import { type ChangeSet, changeSet, type IdempotencyAnswer, transition } from './change-set.ts';
import type { LegalBasis, StopPaymentInstruction } from './entities.ts';
import { StateConflict, ValidationProblem } from './errors.ts';
import { isHeld } from './instruction-lifecycle.ts';
import { type Money, type MoneyJson, toMoneyJson } from './money.ts';
import { newInstruction } from './new-instruction.ts';
import type { ReleaseDisposition } from './totals.ts';

export interface ReleaseOrderAnswer {
  releaseId: string;
  instructionId: string;
  releasesInstructionId: string;
  status: 'PENDING';
  bankId: string;
  amount: MoneyJson;
  disposition: ReleaseDisposition;
}

/** What of a hold may still be released: held now, less what releases with the bank have reserved. */
export const releasable = (held: Pick<StopPaymentInstruction, 'frozen' | 'releasePending'>): bigint =>
  held.frozen.minor - held.releasePending;

/** A release must name a freeze instruction of the case, in its currency (else 422). */
export function checkReleaseTarget(
  held: StopPaymentInstruction | undefined,
  caseId: string,
  amount: Money,
): StopPaymentInstruction {
  if (!held || held.caseId !== caseId || held.kind !== 'FREEZE') {
    throw new ValidationProblem([
      { path: 'instructionId', message: 'no freeze instruction of this case has this id' },
    ]);
  }
  if (amount.currency !== held.requested.currency) {
    throw new ValidationProblem([
      { path: 'amount.currency', message: `must be the held funds' currency ${held.requested.currency}` },
    ]);
  }
  return held;
}

/**
 * A court's release of held funds (docs/api.md "Holds and releases"): the amount is reserved out of what
 * is still held and not already being released (more → 409 RELEASE_EXCEEDS_HOLD; nothing held → 409
 * NOTHING_HELD), in the same change that creates the release instruction, its audit entry and the
 * idempotent answer.
 */
export function decideReleaseOrder(input: {
  held: StopPaymentInstruction;
  releaseId: string;
  amount: Money;
  disposition: ReleaseDisposition;
  authority: LegalBasis;
  actor: string;
  at: string;
  idempotency: Omit<IdempotencyAnswer, 'response'>;
}): ChangeSet<ReleaseOrderAnswer> {
  const { held, amount, releaseId } = input;
  if (!isHeld(held.status)) {
    throw new StateConflict(
      `instruction ${held.instructionId} is ${held.status}: nothing is held there`,
      'NOTHING_HELD',
    );
  }
  const available = releasable(held);
  if (amount.minor <= 0n || amount.minor > available) {
    throw new StateConflict(
      `amount ${amount.minor} exceeds what is still held there (${available} ${amount.currency} not already being released)`,
      'RELEASE_EXCEEDS_HOLD',
    );
  }
  const release = newInstruction({
    kind: 'RELEASE',
    caseId: held.caseId,
    agencyId: held.agencyId,
    orderId: held.orderId,
    instructionId: releaseId,
    bankId: held.bankId,
    accountNumber: held.accountNumber,
    accountName: held.accountName,
    requested: amount,
    hop: held.hop,
    parentInstructionId: held.instructionId,
    legalBasis: input.authority,
    holdHours: held.holdHours,
    createdAt: input.at,
    releasesInstructionId: held.instructionId,
    disposition: input.disposition,
  });
  const answer: ReleaseOrderAnswer = {
    releaseId,
    instructionId: releaseId,
    releasesInstructionId: held.instructionId,
    status: 'PENDING',
    bankId: held.bankId,
    amount: toMoneyJson(amount),
    disposition: input.disposition,
  };
  return changeSet(answer, {
    transitions: [transition(held, { releasePending: held.releasePending + amount.minor })],
    created: [{ instruction: release, account: 'none' }],
    idempotency: { ...input.idempotency, response: { statusCode: 202, body: answer } },
    audit: [
      {
        actor: input.actor,
        action: 'RELEASE_ORDERED',
        subject: `${releaseId}:${held.instructionId}:${input.disposition}:${amount.currency}:${amount.minor}`,
      },
    ],
  });
}
