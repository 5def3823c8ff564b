import { z } from 'zod';
import { ConnectorPermanentError } from '../adapters/bank-connector.ts';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { getBankForDelivery } from '../adapters/dynamo/banks.ts';
import { changeInstruction, getInstructionSnapshot } from '../adapters/dynamo/instructions.ts';
import { bankDayCounterOp } from '../adapters/dynamo/totals-ops.ts';
import { isAwaitingConfirmation } from '../domain/instruction-lifecycle.ts';
import { freezeMessage, releaseMessage, reminderMessage } from '../workflow/messages.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

const DispatchInput = InstructionTaskInput.extend({ kind: z.enum(['FREEZE', 'REMINDER']) });

export interface DispatchResult {
  /** Is the instruction still waiting for the bank's result? */
  awaiting: boolean;
  /** Seconds until the deadline (≥ 1): the wait task's TimeoutSecondsPath. */
  timeoutSeconds: number;
}

const secondsUntil = (iso: string, now: Date) =>
  Math.max(1, Math.ceil((Date.parse(iso) - now.getTime()) / 1000));

/**
 * Delivers an instruction through its bank's connector (push: signed POST; pull: it is in the
 * bank's inbox already) and records the delivery: DISPATCHED, deadlineAt = delivery + SLA,
 * holdUntil = first delivery + holdHours. A bank may have confirmed before this records: the status
 * is then left as the bank set it and only the times are written. Connector errors propagate with
 * the names the ASL retries (transient) or catches (permanent).
 */
export const createDispatchInstruction = (deps: Dependencies) =>
  taskHandler(DispatchInput, async ({ instructionId, kind }): Promise<DispatchResult> => {
    const snapshot = await getInstructionSnapshot(deps.db, instructionId);
    if (!snapshot) throw new Error(`instruction ${instructionId} does not exist`);
    const { instruction } = snapshot;
    const now = deps.now();
    if (kind === 'FREEZE' ? !isAwaitingConfirmation(instruction.status) : instruction.status !== 'OVERDUE') {
      return { awaiting: false, timeoutSeconds: 1 };
    }
    const bank = await getBankForDelivery(deps.db, instruction.bankId);
    if (!bank) throw new ConnectorPermanentError(`bank ${instruction.bankId} is not registered`);
    const at = () => deps.now().toISOString();
    const deliveryId = `${instructionId}:${kind}`;

    if (kind === 'REMINDER') {
      const deadlineAt = new Date(now.getTime() + bank.slaSeconds * 1000).toISOString();
      if (bank.mode === 'push')
        await deps.connector.push(
          bank,
          reminderMessage(instruction, deadlineAt, deps.apiBaseUrl),
          deliveryId,
        );
      const changed = await changeInstruction(deps.db, instructionId, at, {
        decide: (current) =>
          current.status !== 'OVERDUE'
            ? undefined
            : {
                set: { reminderDeadlineAt: deadlineAt, remindedAt: now.toISOString() },
                audit: [
                  {
                    actor: 'system:workflow',
                    action: 'REMINDER_SENT',
                    subject: `${instructionId}:${deadlineAt}`,
                  },
                ],
              },
      });
      return { awaiting: changed?.changed === true, timeoutSeconds: secondsUntil(deadlineAt, now) };
    }

    const deadlineAt = new Date(now.getTime() + bank.slaSeconds * 1000).toISOString();
    const holdUntil = new Date(now.getTime() + instruction.holdHours * 3_600_000).toISOString();
    if (bank.mode === 'push') {
      const message =
        instruction.kind === 'RELEASE'
          ? releaseMessage(instruction, deadlineAt, deps.apiBaseUrl)
          : freezeMessage(instruction, { deadlineAt, holdUntil }, deps.apiBaseUrl);
      await deps.connector.push(bank, message, deliveryId);
    }
    const recorded = await changeInstruction(
      deps.db,
      instructionId,
      at,
      {
        decide: (current) => {
          if (current.dispatchedAt) return undefined;
          const times = {
            dispatchedAt: now.toISOString(),
            deadlineAt,
            ...(current.kind === 'FREEZE' ? { holdUntil: current.holdUntil ?? holdUntil } : {}),
          };
          return {
            set: current.status === 'PENDING' ? { ...times, status: 'DISPATCHED' } : times,
            extraOps: [bankDayCounterOp(deps.db, now.toISOString(), current.bankId, { received: 1n })],
            audit: [
              {
                actor: 'system:workflow',
                action: 'INSTRUCTION_DISPATCHED',
                subject: `${instructionId}:${bank.bankId}:${bank.mode}`,
              },
            ],
          };
        },
      },
      // Read just before the push: the version-locked write proves it still current.
      { known: snapshot },
    );
    if (!recorded) return { awaiting: false, timeoutSeconds: 1 };
    // A first delivery set deadlineAt above; a repeated one keeps the deadline recorded the first time.
    const deadline = recorded.changed ? deadlineAt : (recorded.before.deadlineAt ?? deadlineAt);
    return {
      awaiting: isAwaitingConfirmation(recorded.statusAfter),
      timeoutSeconds: secondsUntil(deadline, now),
    };
  });

export const handler = lambdaEntry(createDispatchInstruction);
