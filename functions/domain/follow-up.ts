import type { InstructionDecision } from './change-set.ts';
import { deliverableStatuses } from './delivery.ts';
import { nextRetry } from './delivery-schedule.ts';
import type { StopPaymentInstruction } from './entities.ts';
import { StateConflict } from './errors.ts';
import { escalationAudit, type SystemActor } from './escalation.ts';
import { isAwaitingConfirmation } from './instruction-lifecycle.ts';

/**
 * The follow-up steps of an open instruction (docs/api.md "Push connector", "Instructions and
 * confirmations"): each decides, on the instruction as read in its change, what to write, or
 * undefined when there is nothing (left) to do, so a step repeated by the workflow and the reconciler
 * is applied once.
 */

/** The bank let the deadline pass: PENDING/DISPATCHED → OVERDUE, counted on the bank's day. */
export function decideOverdue(
  current: StopPaymentInstruction,
  input: { at: string; actor: SystemActor },
): InstructionDecision | undefined {
  if (current.status !== 'PENDING' && current.status !== 'DISPATCHED') return undefined;
  return {
    patch: { status: 'OVERDUE', overdueAt: input.at },
    with: { bankDay: { bankId: current.bankId, at: input.at, overdue: 1n } },
    audit: [
      {
        actor: input.actor,
        action: 'INSTRUCTION_OVERDUE',
        subject: `${current.instructionId}:${current.deadlineAt}`,
      },
    ],
  };
}

/**
 * A person must look at the instruction: `escalatedAt` once. `onlyIfUnanswered`: the "no answer"
 * path, which does not escalate an instruction the bank answered meanwhile.
 */
export function decideEscalation(
  current: StopPaymentInstruction,
  input: { at: string; reason: string; actor: SystemActor; onlyIfUnanswered: boolean },
): InstructionDecision | undefined {
  if (current.escalatedAt || (input.onlyIfUnanswered && !isAwaitingConfirmation(current.status)))
    return undefined;
  return {
    patch: { escalatedAt: input.at, escalationReason: input.reason },
    audit: [escalationAudit(input.actor, current, input.reason)],
  };
}

/** The reminder's second deadline, fixed once before the push (a retried step sends the same body). */
export const decideReminderDeadline = (
  current: StopPaymentInstruction,
  reminderDeadlineAt: string,
): InstructionDecision | undefined =>
  current.reminderDeadlineAt ? undefined : { patch: { reminderDeadlineAt }, audit: [] };

/** The REMINDER reached the bank: recorded once, while the instruction is still OVERDUE. */
export function decideReminded(
  current: StopPaymentInstruction,
  input: { at: string; actor: SystemActor },
): InstructionDecision | undefined {
  if (current.status !== 'OVERDUE' || current.remindedAt) return undefined;
  return {
    patch: { remindedAt: input.at },
    audit: [
      {
        actor: input.actor,
        action: 'REMINDER_SENT',
        subject: `${current.instructionId}:${current.reminderDeadlineAt}`,
      },
    ],
  };
}

/**
 * A redelivery asked for (POST …/redeliver): recorded on the instruction (nextAttemptAt: the due index
 * makes it durable), retried until `redeliverUntil`. Only PENDING, DISPATCHED, DISPATCH_FAILED or
 * OVERDUE can be redelivered (else 409 INSTRUCTION_NOT_REDELIVERABLE).
 */
export function decideRedelivery(
  current: StopPaymentInstruction,
  input: { at: string; redeliverUntil: string; actor: string },
): InstructionDecision {
  if (!deliverableStatuses.includes(current.status)) {
    throw new StateConflict(
      `instruction ${current.instructionId} is ${current.status}: only PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE can be redelivered`,
      'INSTRUCTION_NOT_REDELIVERABLE',
    );
  }
  return {
    patch: { nextAttemptAt: input.at, redeliverUntil: input.redeliverUntil, deliveryAttempts: 0 },
    audit: [
      {
        actor: input.actor,
        action: 'REDELIVERY_REQUESTED',
        subject: `${current.instructionId}:${current.status}`,
      },
    ],
  };
}

/**
 * Before a notice is pushed, the attempt claims it, as a delivery's attempt does (domain/delivery.ts
 * decideAttemptClaim): due now (its nextAttemptAt passed), it is marked in flight for `inFlightMs`, so
 * the use case that made it and the reconciler never push it side by side, nor before a retry's time.
 */
export function decideNoticeClaim(
  current: StopPaymentInstruction,
  input: { deliveryId: string; now: Date; inFlightMs: number },
): InstructionDecision | undefined {
  const notice = current.pendingNotice;
  if (notice?.deliveryId !== input.deliveryId) return undefined;
  if (Date.parse(notice.nextAttemptAt) > input.now.getTime()) return undefined;
  return {
    patch: {
      pendingNotice: {
        ...notice,
        nextAttemptAt: new Date(input.now.getTime() + input.inFlightMs).toISOString(),
      },
    },
    audit: [],
  };
}

/**
 * What one attempt at a pending EXTEND or EXPIRED notice leaves: delivered (audited), retried after a
 * transient fault until its giveUpAt, or given up (audited). Undefined: the notice is not the one
 * attempted any more (delivered, or replaced by a newer one).
 */
export function decideNoticeAttempt(
  current: StopPaymentInstruction,
  input: {
    deliveryId: string;
    now: Date;
    actor: SystemActor;
    failure?: { message: string; transient: boolean; retryAfterSeconds?: number | undefined } | undefined;
  },
): InstructionDecision | undefined {
  const notice = current.pendingNotice;
  if (notice?.deliveryId !== input.deliveryId) return undefined;
  const { actor, failure, now } = input;
  const subject = `${current.instructionId}:${notice.kind}:${notice.deliveryId}`;
  if (!failure)
    return { patch: { pendingNotice: null }, audit: [{ actor, action: 'NOTICE_DELIVERED', subject }] };
  const attempts = notice.attempts + 1;
  const secondsLeft = Math.ceil((Date.parse(notice.giveUpAt) - now.getTime()) / 1000);
  const plan = failure.transient
    ? nextRetry(attempts, secondsLeft, failure.retryAfterSeconds)
    : { waitSeconds: undefined };
  if (plan.waitSeconds === undefined) {
    return {
      patch: { pendingNotice: null },
      audit: [{ actor, action: 'NOTICE_FAILED', subject: `${subject}:${failure.message.slice(0, 200)}` }],
    };
  }
  return {
    patch: {
      pendingNotice: {
        ...notice,
        attempts,
        nextAttemptAt: new Date(now.getTime() + plan.waitSeconds * 1000).toISOString(),
      },
    },
    audit: [],
  };
}
