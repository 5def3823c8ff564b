import type { Dependencies } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import type { SystemActor } from '../domain/escalation.ts';
import { decideOverdue } from '../domain/follow-up.ts';

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
    decide: (current) => decideOverdue(current, { at: at(), actor }),
  });
  if (!result) return { awaiting: false };
  const status = result.statusAfter;
  const reminded = result.changed ? false : result.before.remindedAt !== null;
  return { awaiting: status === 'OVERDUE' && !reminded };
}
