import { type FieldError, ValidationProblem } from './errors.ts';
import type { ConfirmedStatus } from './instruction-lifecycle.ts';
import { type Money, zero } from './money.ts';

export interface OnwardTransfer {
  toBankId: string;
  toAccount: string;
  amount: Money;
  transferredAt?: string | undefined;
  reference?: string | undefined;
}

/** What a bank reports for a freeze instruction (docs/api.md "Confirmation body"), already parsed. */
export interface BankConfirmation {
  confirmationId: string;
  result: 'ACTIONED' | 'ACCOUNT_NOT_FOUND' | 'REJECTED';
  frozen?: Money | undefined;
  onwardTransfers?: OnwardTransfer[] | undefined;
  cashWithdrawn?: Money | undefined;
  reason?: string | undefined;
  reportedAt?: string | undefined;
}

export interface ConfirmationOutcome {
  status: ConfirmedStatus;
  frozen: Money;
  cashWithdrawn: Money;
  onwardTransfers: OnwardTransfer[];
}

/**
 * Turns a bank's result into the instruction's new status (docs/api.md "Rules"). A lien is never more
 * than the disputed amount, and every amount is in the instruction's currency; anything else is a
 * 422 naming the field.
 */
export function decideConfirmation(requested: Money, confirmation: BankConfirmation): ConfirmationOutcome {
  const errors: FieldError[] = [];
  const frozen = confirmation.frozen ?? zero(requested.currency);
  const cashWithdrawn = confirmation.cashWithdrawn ?? zero(requested.currency);
  const onwardTransfers = confirmation.onwardTransfers ?? [];

  const checkCurrency = (amount: Money, path: string) => {
    if (amount.currency !== requested.currency) {
      errors.push({ path, message: `must be in the instruction's currency ${requested.currency}` });
    }
  };
  if (confirmation.frozen) checkCurrency(confirmation.frozen, 'frozen.currency');
  if (confirmation.cashWithdrawn) checkCurrency(confirmation.cashWithdrawn, 'cashWithdrawn.currency');
  onwardTransfers.forEach((t, i) => {
    checkCurrency(t.amount, `onwardTransfers.${i}.amount.currency`);
    if (t.amount.minor <= 0n)
      errors.push({ path: `onwardTransfers.${i}.amount.minor`, message: 'must be > 0' });
  });
  if (frozen.currency === requested.currency && frozen.minor > requested.minor) {
    errors.push({
      path: 'frozen.minor',
      message: `must not exceed the requested amount ${requested.minor} (a lien on the disputed amount, never more)`,
    });
  }

  if (confirmation.result !== 'ACTIONED') {
    if (frozen.minor > 0n)
      errors.push({ path: 'frozen.minor', message: `must be 0 for ${confirmation.result}` });
    // Only an actioned account reports where its money went: nothing is followed from a refusal.
    if (onwardTransfers.length > 0)
      errors.push({ path: 'onwardTransfers', message: `only with result ACTIONED` });
    if (cashWithdrawn.minor > 0n)
      errors.push({ path: 'cashWithdrawn.minor', message: `must be 0 for ${confirmation.result}` });
    if (confirmation.result === 'REJECTED' && !confirmation.reason) {
      errors.push({ path: 'reason', message: 'a rejection must give its reason' });
    }
    if (errors.length > 0) throw new ValidationProblem(errors);
    return { status: confirmation.result, frozen: zero(requested.currency), cashWithdrawn, onwardTransfers };
  }
  if (errors.length > 0) throw new ValidationProblem(errors);

  let status: ConfirmedStatus;
  if (frozen.minor === requested.minor && requested.minor > 0n) status = 'FROZEN';
  else if (frozen.minor > 0n) status = 'PARTIALLY_FROZEN';
  else if (onwardTransfers.length > 0) status = 'FUNDS_MOVED';
  else if (cashWithdrawn.minor > 0n) status = 'CASH_WITHDRAWN';
  else {
    throw new ValidationProblem([
      {
        path: 'result',
        message:
          'ACTIONED with nothing frozen, moved or withdrawn: say ACCOUNT_NOT_FOUND or REJECTED with a reason',
      },
    ]);
  }
  return { status, frozen, cashWithdrawn, onwardTransfers };
}
