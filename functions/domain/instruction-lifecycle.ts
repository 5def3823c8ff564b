/**
 * The stop-payment instruction lifecycle of docs/api.md: statuses and the transitions allowed between
 * them. Every status change in the system goes through `assertTransition` (domain/change-set.ts
 * `transition`, the only way a change set carries a status), and the write is conditioned on the
 * status it was decided on, so a refused or stale transition writes nothing.
 */
export const instructionStatuses = [
  'PENDING',
  'DISPATCHED',
  'FROZEN',
  'PARTIALLY_FROZEN',
  'FUNDS_MOVED',
  'CASH_WITHDRAWN',
  'ACCOUNT_NOT_FOUND',
  'REJECTED',
  'DISPATCH_FAILED',
  'OVERDUE',
  'EXPIRED',
  'RELEASED',
] as const;

export type InstructionStatus = (typeof instructionStatuses)[number];

/** Statuses a bank's result can produce. */
export const confirmedStatuses = [
  'FROZEN',
  'PARTIALLY_FROZEN',
  'FUNDS_MOVED',
  'CASH_WITHDRAWN',
  'ACCOUNT_NOT_FOUND',
  'REJECTED',
] as const satisfies readonly InstructionStatus[];
export type ConfirmedStatus = (typeof confirmedStatuses)[number];

/**
 * A confirmation is accepted only while the instruction is in one of these. DISPATCH_FAILED is one: a
 * bank that froze the money (seen in its inbox, or pushed while we recorded a failure) is counted.
 */
export const awaitingConfirmationStatuses = [
  'PENDING',
  'DISPATCHED',
  'DISPATCH_FAILED',
  'OVERDUE',
] as const satisfies readonly InstructionStatus[];

/** Statuses in which the bank holds funds for the case. */
export const heldStatuses = ['FROZEN', 'PARTIALLY_FROZEN'] as const satisfies readonly InstructionStatus[];

const transitions: Readonly<Record<InstructionStatus, readonly InstructionStatus[]>> = {
  PENDING: ['DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE', ...confirmedStatuses],
  DISPATCHED: ['DISPATCH_FAILED', 'OVERDUE', ...confirmedStatuses],
  OVERDUE: [...confirmedStatuses],
  FROZEN: ['EXPIRED', 'RELEASED'],
  PARTIALLY_FROZEN: ['EXPIRED', 'RELEASED'],
  FUNDS_MOVED: [],
  CASH_WITHDRAWN: [],
  ACCOUNT_NOT_FOUND: [],
  REJECTED: [],
  // A redelivery that reaches the bank makes it DISPATCHED again; the bank may still confirm.
  DISPATCH_FAILED: ['DISPATCHED', ...confirmedStatuses],
  EXPIRED: [],
  RELEASED: [],
};

export function canTransition(from: InstructionStatus, to: InstructionStatus): boolean {
  return transitions[from].includes(to);
}

/** The statuses from which `to` may be reached (what a conditional write checks). */
export function statusesLeadingTo(to: InstructionStatus): InstructionStatus[] {
  return instructionStatuses.filter((from) => canTransition(from, to));
}

export function isAwaitingConfirmation(status: InstructionStatus): boolean {
  return (awaitingConfirmationStatuses as readonly string[]).includes(status);
}

export function isHeld(status: InstructionStatus): boolean {
  return (heldStatuses as readonly string[]).includes(status);
}

/**
 * A RELEASE instruction (a court-ordered release delivered to the bank as an instruction of its
 * own) has a shorter life: delivered, then RELEASED by the bank's confirmation, or overdue/failed.
 * It is never counted among the freeze instructions' statuses.
 */
const releaseTransitions: Readonly<Partial<Record<InstructionStatus, readonly InstructionStatus[]>>> = {
  PENDING: ['DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE', 'RELEASED'],
  DISPATCHED: ['DISPATCH_FAILED', 'OVERDUE', 'RELEASED'],
  DISPATCH_FAILED: ['DISPATCHED', 'RELEASED'],
  OVERDUE: ['RELEASED'],
};

export function canTransitionFor(
  kind: 'FREEZE' | 'RELEASE',
  from: InstructionStatus,
  to: InstructionStatus,
): boolean {
  return kind === 'FREEZE' ? canTransition(from, to) : (releaseTransitions[from] ?? []).includes(to);
}

export class IllegalTransition extends Error {
  override readonly name = 'IllegalTransition';
}

/** Throws unless the lifecycle of `kind` allows `from -> to` (a defect in a decider, never a 409). */
export function assertTransition(
  kind: 'FREEZE' | 'RELEASE',
  from: InstructionStatus,
  to: InstructionStatus,
  instructionId: string,
): void {
  if (!canTransitionFor(kind, from, to)) {
    throw new IllegalTransition(`illegal transition ${from} -> ${to} for ${kind} ${instructionId}`);
  }
}
