import type { BankInstructionView } from '../api/views.ts';

/** Statuses in which the bank still owes its answer (API.md "Lifecycle": a confirmation is accepted). */
export const AWAITING = new Set(['PENDING', 'DISPATCHED', 'DISPATCH_FAILED', 'OVERDUE']);

export const needsAction = (i: BankInstructionView): boolean => AWAITING.has(i.status);
export const isOverdue = (i: BankInstructionView, now: number): boolean =>
  i.status === 'OVERDUE' || (needsAction(i) && i.deadlineAt !== null && Date.parse(i.deadlineAt) < now);

/** Needs action first, then the nearest deadline (none last), then the oldest. */
export function inboxOrder(a: BankInstructionView, b: BankInstructionView): number {
  const act = Number(needsAction(b)) - Number(needsAction(a));
  if (act !== 0) return act;
  const da = a.deadlineAt ? Date.parse(a.deadlineAt) : Number.POSITIVE_INFINITY;
  const db = b.deadlineAt ? Date.parse(b.deadlineAt) : Number.POSITIVE_INFINITY;
  if (da !== db) return da - db;
  return (
    (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.instructionId.localeCompare(b.instructionId)
  );
}
