import type { InstructionStatus } from './instruction-lifecycle.ts';
import type { Money } from './money.ts';

/** The four buckets of docs/api.md "Totals"; frozen + expired + released + restored = ever frozen. */
export const totalsBuckets = ['frozen', 'expired', 'released', 'restored'] as const;
export type TotalsBucket = (typeof totalsBuckets)[number];

/**
 * A change to a case's totals, as signed deltas. The repository applies it with DynamoDB ADD in
 * the same transaction as the status change; the domain only says what the change is.
 */
export interface TotalsDelta {
  amounts: { bucket: TotalsBucket; amount: Money }[];
  statusCounts: Partial<Record<InstructionStatus, number>>;
}

export interface CaseTotalsState {
  amounts: Record<TotalsBucket, Map<string, bigint>>;
  statusCounts: Map<InstructionStatus, number>;
}

export function emptyTotals(): CaseTotalsState {
  return {
    amounts: { frozen: new Map(), expired: new Map(), released: new Map(), restored: new Map() },
    statusCounts: new Map(),
  };
}

function statusChange(
  from: InstructionStatus | undefined,
  to: InstructionStatus,
): TotalsDelta['statusCounts'] {
  if (from === to) return {};
  return from ? { [from]: -1, [to]: 1 } : { [to]: 1 };
}

/** New instructions enter the counts as PENDING. */
export function instructionsCreatedDelta(count: number): TotalsDelta {
  return { amounts: [], statusCounts: { PENDING: count } };
}

export function statusChangeDelta(from: InstructionStatus, to: InstructionStatus): TotalsDelta {
  return { amounts: [], statusCounts: statusChange(from, to) };
}

/** A bank's result: the frozen amount is now held for the case. */
export function confirmationDelta(
  from: InstructionStatus,
  to: InstructionStatus,
  frozen: Money,
): TotalsDelta {
  return {
    amounts: frozen.minor > 0n ? [{ bucket: 'frozen', amount: frozen }] : [],
    statusCounts: statusChange(from, to),
  };
}

/** A hold lapsed: what was still held moves from frozen to expired. */
export function expiryDelta(from: InstructionStatus, stillHeld: Money): TotalsDelta {
  return {
    amounts: [
      { bucket: 'frozen', amount: { ...stillHeld, minor: -stillHeld.minor } },
      { bucket: 'expired', amount: stillHeld },
    ],
    statusCounts: statusChange(from, 'EXPIRED'),
  };
}

export type ReleaseDisposition = 'RETURN_TO_VICTIM' | 'RELEASE_TO_HOLDER';

/** A confirmed release: the amount leaves frozen for restored (victim) or released (holder). */
export function releaseDelta(
  from: InstructionStatus,
  amount: Money,
  disposition: ReleaseDisposition,
  fullyReleased: boolean,
): TotalsDelta {
  return {
    amounts: [
      { bucket: 'frozen', amount: { ...amount, minor: -amount.minor } },
      { bucket: disposition === 'RETURN_TO_VICTIM' ? 'restored' : 'released', amount },
    ],
    statusCounts: fullyReleased ? statusChange(from, 'RELEASED') : {},
  };
}

/** Pure application of a delta: what the ADDs in DynamoDB amount to (used by tests and reads). */
export function applyTotalsDelta(state: CaseTotalsState, delta: TotalsDelta): CaseTotalsState {
  const amounts = {
    frozen: new Map(state.amounts.frozen),
    expired: new Map(state.amounts.expired),
    released: new Map(state.amounts.released),
    restored: new Map(state.amounts.restored),
  };
  for (const { bucket, amount } of delta.amounts) {
    amounts[bucket].set(amount.currency, (amounts[bucket].get(amount.currency) ?? 0n) + amount.minor);
  }
  const statusCounts = new Map(state.statusCounts);
  for (const [status, n] of Object.entries(delta.statusCounts) as [InstructionStatus, number][]) {
    statusCounts.set(status, (statusCounts.get(status) ?? 0) + n);
  }
  return { amounts, statusCounts };
}

/** Everything ever frozen, per currency: the invariant regulators check. */
export function everFrozen(state: CaseTotalsState): Map<string, bigint> {
  const sum = new Map<string, bigint>();
  for (const bucket of totalsBuckets) {
    for (const [currency, minor] of state.amounts[bucket])
      sum.set(currency, (sum.get(currency) ?? 0n) + minor);
  }
  return sum;
}
