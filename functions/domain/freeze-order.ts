import { type ChangeSet, changeSet, type IdempotencyAnswer } from './change-set.ts';
import type { FreezeOrder, LegalBasis, StopPaymentInstruction } from './entities.ts';
import { StateConflict } from './errors.ts';
import { orderInstructionId } from './ids.ts';
import { type Money, type MoneyJson, toMoneyJson } from './money.ts';
import { newInstruction } from './new-instruction.ts';
import { instructionsCreatedDelta } from './totals.ts';

/** docs/api.md / issue "holds": an account may be placed on hold at most twice per case. */
export const MAX_HOLDS_PER_ACCOUNT = 2;

export const holdLimitConflict = (accounts: string[]): StateConflict =>
  new StateConflict(
    `an account may be placed on hold at most ${MAX_HOLDS_PER_ACCOUNT} times per case: ${accounts.join(', ')}`,
    'MAX_HOLDS_PER_ACCOUNT',
  );

/**
 * Refuses an order naming an account that already has MAX_HOLDS_PER_ACCOUNT holds in the case
 * (`holds`: count per `bankId/accountNumber`). The marker's condition enforces the same limit at
 * write time against a concurrent order.
 */
export function checkHoldLimit(
  targets: readonly { bankId: string; accountNumber: string }[],
  holds: ReadonlyMap<string, number>,
): void {
  const over = targets
    .map((t) => `${t.bankId}/${t.accountNumber}`)
    .filter((account) => (holds.get(account) ?? 0) >= MAX_HOLDS_PER_ACCOUNT);
  if (over.length > 0) throw holdLimitConflict(over);
}

export interface OrderTarget {
  bankId: string;
  accountNumber: string;
  accountName?: string | undefined;
  amount: Money;
  transferredAt?: string | undefined;
  reference?: string | undefined;
}

export interface OrderAnswer {
  orderId: string;
  caseId: string;
  holdHours: number;
  instructions: {
    instructionId: string;
    bankId: string;
    accountNumber: string;
    amount: MoneyJson;
    status: string;
  }[];
}

/**
 * A police order: the order, one PENDING stop-payment instruction per target at hop 1, the totals'
 * new PENDING count, the audit entry and the idempotent answer (202).
 */
export function decideFreezeOrder(input: {
  fraudCase: { caseId: string; agencyId: string };
  orderId: string;
  submittedAt: string;
  actor: string;
  legalBasis: LegalBasis;
  holdHours: number;
  targets: readonly OrderTarget[];
  idempotency: Omit<IdempotencyAnswer, 'response'>;
}): ChangeSet<OrderAnswer> {
  const { fraudCase, orderId, submittedAt } = input;
  const instructions: StopPaymentInstruction[] = input.targets.map((t, index) =>
    newInstruction({
      caseId: fraudCase.caseId,
      agencyId: fraudCase.agencyId,
      orderId,
      instructionId: orderInstructionId(orderId, index),
      bankId: t.bankId,
      accountNumber: t.accountNumber,
      accountName: t.accountName,
      requested: t.amount,
      hop: 1,
      parentInstructionId: null,
      legalBasis: input.legalBasis,
      holdHours: input.holdHours,
      createdAt: submittedAt,
      transferredAt: t.transferredAt,
      reference: t.reference,
    }),
  );
  const order: FreezeOrder = {
    caseId: fraudCase.caseId,
    orderId,
    legalBasis: input.legalBasis,
    holdHours: input.holdHours,
    submittedAt,
    submittedBy: input.actor,
    instructionIds: instructions.map((i) => i.instructionId),
  };
  const answer: OrderAnswer = {
    orderId,
    caseId: fraudCase.caseId,
    holdHours: input.holdHours,
    instructions: instructions.map((i) => ({
      instructionId: i.instructionId,
      bankId: i.bankId,
      accountNumber: i.accountNumber,
      amount: toMoneyJson(i.requested),
      status: i.status,
    })),
  };
  return changeSet(answer, {
    created: instructions.map((instruction) => ({ instruction, account: 'holdLimit' as const })),
    order,
    caseTotals: {
      delta: instructionsCreatedDelta(instructions.length),
      newInstructionHops: instructions.map((i) => i.hop),
    },
    idempotency: { ...input.idempotency, response: { statusCode: 202, body: answer } },
    audit: [
      { actor: input.actor, action: 'FREEZE_ORDER_SUBMITTED', subject: `${orderId}:${instructions.length}` },
    ],
  });
}
