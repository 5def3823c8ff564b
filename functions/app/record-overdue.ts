import type { Dependencies } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import type { SystemActor } from './escalate-instruction.ts';

/**
 * The bank let the deadline pass: PENDING/DISPATCHED -> OVERDUE (a late confirmation is still
 * accepted). Idempotent: a retried step (the first write landed, its answer was lost) still answers
 * `awaiting: true` while the reminder has not gone out, so the reminder and escalation follow.
 */
export async function recordOverdue(
  deps: Dependencies,
  instructionId: string,
  actor: SystemActor = 'system:workflow',
): Promise<{ awaiting: boolean }> {
  const at = () => deps.now().toISOString();
  const result = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) =>
      current.status === 'PENDING' || current.status === 'DISPATCHED'
        ? {
            patch: { status: 'OVERDUE', overdueAt: at() },
            with: { bankDay: { bankId: current.bankId, at: at(), overdue: 1n } },
            audit: [
              { actor, action: 'INSTRUCTION_OVERDUE', subject: `${instructionId}:${current.deadlineAt}` },
            ],
          }
        : undefined,
  });
  if (!result) return { awaiting: false };
  const status = result.statusAfter;
  const reminded = result.changed ? false : result.before.remindedAt !== null;
  return { awaiting: status === 'OVERDUE' && !reminded };
}
