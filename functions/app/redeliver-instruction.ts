import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import type { StopPaymentInstruction } from '../domain/entities.ts';
import { decideRedelivery } from '../domain/follow-up.ts';
import { actorOf, type Caller } from '../schemas/claims.ts';
import { caseInScope, instructionOfCase } from './case-scope.ts';

/**
 * POST …/redeliver of an instruction of a case the caller may act in: police of the case's agency, or
 * an admin in any case (else 404); `parse` checks the (empty) body after the scope, as docs/api.md orders.
 */
export async function redeliverInCase(
  deps: Dependencies,
  caller: Caller,
  ids: { caseId: string; instructionId: string },
  parse: () => void,
): Promise<{ instructionId: string; status: string; redeliveryRequestedAt: string }> {
  const fraudCase = await caseInScope(deps.db, caller, ids.caseId, true);
  const instruction = await instructionOfCase(deps.db, fraudCase, ids.instructionId);
  parse();
  return redeliverInstruction(deps, instruction, actorOf(caller));
}

/**
 * POST …/redeliver (docs/api.md): deliver a PENDING, DISPATCHED, DISPATCH_FAILED or OVERDUE instruction
 * again, with the same delivery id and the same deadlineAt/holdUntil once set. The request is recorded
 * on the instruction (nextAttemptAt = now: the due index makes it durable), then a workflow of its own
 * makes the attempts; transient faults are retried until the later of deadlineAt and now + the bank's
 * SLA. Any other state is a 409.
 */
export async function redeliverInstruction(
  deps: Dependencies,
  instruction: StopPaymentInstruction,
  actor: string,
): Promise<{ instructionId: string; status: string; redeliveryRequestedAt: string }> {
  const now = deps.now();
  const requestedAt = now.toISOString();
  const bank = await getBankForDelivery(deps.db, instruction.bankId);
  const redeliverUntil = new Date(now.getTime() + (bank?.slaSeconds ?? 3_600) * 1000).toISOString();
  const result = await changeInstruction(deps.db, instruction.instructionId, () => deps.now().toISOString(), {
    decide: (current) => decideRedelivery(current, { at: requestedAt, redeliverUntil, actor }),
  });
  if (!result) throw new Error(`instruction ${instruction.instructionId} vanished`);
  // Named after the request: a retried HTTP call within the same millisecond starts nothing twice.
  await deps.workflow.startExecution(
    'stopPaymentInstruction',
    `${instruction.instructionId}-redeliver-${requestedAt.replace(/\D/g, '')}`,
    { caseId: instruction.caseId, instructionId: instruction.instructionId },
  );
  return {
    instructionId: instruction.instructionId,
    status: result.statusAfter,
    redeliveryRequestedAt: requestedAt,
  };
}
