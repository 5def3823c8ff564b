import type { AuditEntry } from './change-set.ts';
import type { StopPaymentInstruction } from './entities.ts';

/** Who acts for the system, in audit events. */
export type SystemActor = 'system:workflow' | 'system:reconciler' | 'system:hold-timer';

export const escalationAudit = (
  actor: SystemActor,
  i: Pick<StopPaymentInstruction, 'instructionId' | 'bankId'>,
  reason: string,
): AuditEntry => ({
  actor,
  action: 'INSTRUCTION_ESCALATED',
  subject: `${i.instructionId}:${i.bankId}:${reason.slice(0, 200)}`,
});
