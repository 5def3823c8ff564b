import type { Dependencies } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import type { StopPaymentInstruction } from '../domain/entities.ts';
import type { SystemActor } from '../domain/escalation.ts';
import { decideEscalation } from '../domain/follow-up.ts';
import { toMoneyJson } from '../domain/money.ts';

export { escalationAudit, type SystemActor } from '../domain/escalation.ts';

/** The `InstructionEscalated` event people subscribe to (EventBridge in AWS). */
export function escalationEvent(i: StopPaymentInstruction, escalatedAt: string, reason: string) {
  return {
    detailType: 'InstructionEscalated' as const,
    detail: {
      caseId: i.caseId,
      instructionId: i.instructionId,
      bankId: i.bankId,
      hop: i.hop,
      status: i.status,
      amount: toMoneyJson(i.requested),
      deadlineAt: i.deadlineAt,
      reminderDeadlineAt: i.reminderDeadlineAt,
      escalatedAt,
      reason,
    },
  };
}

/**
 * An instruction a person must look at: `escalatedAt` and an audit event, then the event on the bus.
 * Any open instruction may be escalated once (no answer after the reminder, a failed delivery, or a
 * workflow step that failed for a reason no retry cures); a late confirmation is still accepted.
 * A retried step whose write already happened does not publish again (the audit event is the record).
 */
export async function escalateInstruction(
  deps: Dependencies,
  instructionId: string,
  reason: string,
  actor: SystemActor = 'system:workflow',
  /** Escalate only while the bank has not answered (the "no answer" path); a caught error always escalates. */
  onlyIfUnanswered = false,
): Promise<{ escalated: boolean }> {
  const at = () => deps.now().toISOString();
  const escalatedAt = at();
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => decideEscalation(current, { at: escalatedAt, reason, actor, onlyIfUnanswered }),
  });
  if (result?.changed) await deps.events.publish(escalationEvent(result.before, escalatedAt, reason));
  return { escalated: result?.changed === true };
}
