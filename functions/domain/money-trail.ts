import type { OnwardTransfer } from './confirmation-rules.ts';
import { type Money, minMoney, subtract } from './money.ts';

export const DEFAULT_HOP_LIMIT = 6;

export const reasonsNotFollowed = [
  'ALREADY_TARGETED',
  'BANK_NOT_INTEGRATED',
  'BUDGET_SPENT',
  'HOP_LIMIT',
] as const;
export type ReasonNotFollowed = (typeof reasonsNotFollowed)[number];

export interface TrailStep {
  /** Position of the transfer in the bank's confirmation (edges keep the bank's order). */
  transferIndex: number;
  transfer: OnwardTransfer;
  /** Set when followed: the amount the follow-on instruction asks the next bank to freeze. */
  followOnAmount?: Money;
  reasonNotFollowed?: ReasonNotFollowed;
}

export interface TrailContext {
  /** Hop of the instruction whose bank reported the transfers. */
  parentHop: number;
  hopLimit: number;
  /** Is `bankId/accountNumber` already targeted in the case (the cycle check)? */
  isTargeted: (bankId: string, accountNumber: string) => boolean;
  isBankIntegrated: (bankId: string) => boolean;
}

/** The amount still to chase past this account: requested − frozen − cash withdrawn, never negative. */
export function followBudget(requested: Money, frozen: Money, cashWithdrawn: Money): Money {
  const left = subtract(subtract(requested, frozen), cashWithdrawn);
  return left.minor < 0n ? { currency: left.currency, minor: 0n } : left;
}

export function accountKey(bankId: string, accountNumber: string): string {
  return `${bankId}/${accountNumber}`;
}

/**
 * Follow the money (docs/api.md): transfers in the bank's order, each followed for
 * min(transfer, budget left), reducing the budget. Two transfers to the same new account in one
 * confirmation: the second counts as already targeted (it is, by the first).
 */
export function planFollowOns(
  budget: Money,
  transfers: readonly OnwardTransfer[],
  ctx: TrailContext,
): TrailStep[] {
  let left = budget;
  const targetedNow = new Set<string>();
  return transfers.map((transfer, transferIndex) => {
    const key = accountKey(transfer.toBankId, transfer.toAccount);
    let reason: ReasonNotFollowed | undefined;
    if (targetedNow.has(key) || ctx.isTargeted(transfer.toBankId, transfer.toAccount))
      reason = 'ALREADY_TARGETED';
    else if (!ctx.isBankIntegrated(transfer.toBankId)) reason = 'BANK_NOT_INTEGRATED';
    else if (left.minor <= 0n || transfer.amount.currency !== left.currency) reason = 'BUDGET_SPENT';
    else if (ctx.parentHop + 1 > ctx.hopLimit) reason = 'HOP_LIMIT';
    if (reason) return { transferIndex, transfer, reasonNotFollowed: reason };
    const followOnAmount = minMoney(transfer.amount, left);
    left = subtract(left, followOnAmount);
    targetedNow.add(key);
    return { transferIndex, transfer, followOnAmount };
  });
}
