import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import { bankDayCounterOp } from '../adapters/dynamo/totals-ops.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/**
 * The bank let the deadline pass: PENDING/DISPATCHED -> OVERDUE (a late confirmation is still
 * accepted). If the confirmation won the race, nothing changes and the workflow ends.
 */
export const createRecordOverdue = (deps: Dependencies) =>
  taskHandler(InstructionTaskInput, async ({ instructionId }) => {
    const at = () => deps.now().toISOString();
    const result = await changeInstruction(deps.db, instructionId, at, {
      decide: (current) =>
        current.status === 'PENDING' || current.status === 'DISPATCHED'
          ? {
              set: { status: 'OVERDUE', overdueAt: at() },
              extraOps: [bankDayCounterOp(deps.db, at(), current.bankId, { overdue: 1n })],
              audit: [
                {
                  actor: 'system:workflow',
                  action: 'INSTRUCTION_OVERDUE',
                  subject: `${instructionId}:${current.deadlineAt}`,
                },
              ],
            }
          : undefined,
    });
    return { awaiting: result?.changed === true };
  });

export const handler = lambdaEntry(createRecordOverdue);
