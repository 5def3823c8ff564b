import { ConnectorPermanentError, ConnectorTransientError } from '../adapters/bank-connector.ts';
import type { Dependencies } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstruction } from '../adapters/dynamo/instructions.ts';
import { secondsUntil } from '../domain/delivery-schedule.ts';
import { decideReminded, decideReminderDeadline } from '../domain/follow-up.ts';
import { reminderMessage } from '../workflow/messages.ts';
import type { DeliveryStep } from './deliver-instruction.ts';
import { escalateInstruction, type SystemActor } from './escalate-instruction.ts';

/**
 * One REMINDER after OVERDUE, with a second deadline (now + the bank's SLA, fixed before the push so a
 * retried step sends the same body). Delivered, the instruction waits for the second deadline; not
 * deliverable, it is escalated at once (the bank is unreachable: a person must call it).
 */
export async function sendReminder(
  deps: Dependencies,
  instructionId: string,
  actor: SystemActor = 'system:workflow',
): Promise<DeliveryStep> {
  const now = deps.now();
  const at = () => deps.now().toISOString();
  const done = { outcome: 'DONE', awaiting: false, timeoutSeconds: 1, waitSeconds: 1 } as const;
  const first = await getInstruction(deps.db, instructionId);
  if (first?.status !== 'OVERDUE' || first.remindedAt) return done;
  const bank = await getBankForDelivery(deps.db, first.bankId);
  if (!bank) {
    await escalateInstruction(deps, instructionId, `bank ${first.bankId} is not registered`, actor);
    return done;
  }
  const reminderDeadlineAt =
    first.reminderDeadlineAt ?? new Date(now.getTime() + bank.slaSeconds * 1000).toISOString();
  if (!first.reminderDeadlineAt) {
    await changeInstruction(deps.db, instructionId, at, {
      decide: (current) => decideReminderDeadline(current, reminderDeadlineAt),
    });
  }
  const instruction = await getInstruction(deps.db, instructionId);
  if (!instruction?.reminderDeadlineAt || instruction.status !== 'OVERDUE' || instruction.remindedAt)
    return done;
  try {
    if (bank.mode === 'push') {
      await deps.connector.push(
        bank,
        reminderMessage(instruction, instruction.reminderDeadlineAt, deps.apiBaseUrl),
        `${instructionId}:REMINDER`,
      );
    }
  } catch (error) {
    if (error instanceof ConnectorTransientError || error instanceof ConnectorPermanentError) {
      await escalateInstruction(deps, instructionId, `REMINDER not delivered: ${error.message}`, actor);
      return done;
    }
    throw error;
  }
  const changed = await changeInstruction(deps.db, instructionId, at, {
    decide: (current) => decideReminded(current, { at: now.toISOString(), actor }),
  });
  return {
    outcome: 'DELIVERED',
    awaiting: changed?.changed === true,
    timeoutSeconds: secondsUntil(instruction.reminderDeadlineAt, now),
    waitSeconds: 1,
  };
}
