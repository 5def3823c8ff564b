import type { StopPaymentInstruction } from './entities.ts';
import { isHeld } from './instruction-lifecycle.ts';

/**
 * The next step an open instruction waits for, and when it is due (docs/design.md §1 "reconciler"). Every
 * write of an instruction stores this in a sparse index (adapters/dynamo/due-index.ts), so the
 * reconciler finds due work with one Query per shard, never a Scan; an instruction at an end has no
 * due step and drops out of the index.
 */
export type DueStep =
  /** Deliver (or redeliver) it to the bank. */
  | 'DELIVER'
  /** The bank let the deadline pass: OVERDUE. */
  | 'OVERDUE'
  /** OVERDUE and not reminded yet: one REMINDER with a second deadline. */
  | 'REMIND'
  /** Reminder unanswered, or DISPATCH_FAILED: escalate to a person. */
  | 'ESCALATE'
  /** A hold whose holdUntil passed unextended: EXPIRED. */
  | 'EXPIRE'
  /** A notice to the bank (EXTEND, EXPIRED) not delivered yet. */
  | 'NOTIFY'
  /** A confirmation with onward transfers whose trail was not followed yet. */
  | 'FOLLOW';

export interface DueWork {
  step: DueStep;
  at: string;
}

const earliest = (candidates: (DueWork | undefined)[]): DueWork | undefined =>
  candidates
    .filter((c): c is DueWork => c !== undefined)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];

export function nextDue(i: StopPaymentInstruction): DueWork | undefined {
  const follow =
    i.followPending && !i.trailResolvedAt
      ? { step: 'FOLLOW' as const, at: i.confirmedAt ?? i.createdAt }
      : undefined;
  return earliest([follow, nextStepOf(i)]);
}

function nextStepOf(i: StopPaymentInstruction): DueWork | undefined {
  const notice = i.pendingNotice ? { step: 'NOTIFY' as const, at: i.pendingNotice.nextAttemptAt } : undefined;
  const redeliver = i.nextAttemptAt ? { step: 'DELIVER' as const, at: i.nextAttemptAt } : undefined;
  switch (i.status) {
    case 'PENDING':
      return earliest([redeliver ?? { step: 'DELIVER', at: i.createdAt }, notice]);
    case 'DISPATCHED':
      return earliest([redeliver, i.deadlineAt ? { step: 'OVERDUE', at: i.deadlineAt } : undefined, notice]);
    case 'OVERDUE': {
      // Escalated (after the reminder, or because the reminder could not be delivered): a person has it.
      const reminder = i.escalatedAt
        ? undefined
        : !i.remindedAt
          ? { step: 'REMIND' as const, at: i.overdueAt ?? i.deadlineAt ?? i.createdAt }
          : { step: 'ESCALATE' as const, at: i.reminderDeadlineAt ?? i.remindedAt };
      return earliest([redeliver, reminder, notice]);
    }
    case 'DISPATCH_FAILED':
      return earliest([
        redeliver,
        i.escalatedAt ? undefined : { step: 'ESCALATE', at: i.dispatchFailedAt ?? i.createdAt },
        notice,
      ]);
    default:
      // With a release in flight the expiry step decides (app/expire-hold.ts): a live release
      // postpones it, and the claim's lease makes the reconciler look again later (a bounded wait).
      if (i.kind === 'FREEZE' && isHeld(i.status) && i.holdUntil) {
        return earliest([{ step: 'EXPIRE', at: i.holdUntil }, notice]);
      }
      return notice;
  }
}
