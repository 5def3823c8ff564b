import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/**
 * No answer after the reminder: the instruction stays OVERDUE and is escalated (escalatedAt and an
 * audit event; a late confirmation is still accepted).
 */
export const createEscalateInstruction = (deps: Dependencies) =>
  taskHandler(InstructionTaskInput, async ({ instructionId }) => {
    const at = () => deps.now().toISOString();
    const result = await changeInstruction(deps.db, instructionId, at, {
      decide: (current) =>
        current.status === 'OVERDUE' && !current.escalatedAt
          ? {
              set: { escalatedAt: at() },
              audit: [
                {
                  actor: 'system:workflow',
                  action: 'INSTRUCTION_ESCALATED',
                  subject: `${instructionId}:${current.bankId}`,
                },
              ],
            }
          : undefined,
    });
    return { escalated: result?.changed === true };
  });

export const handler = lambdaEntry(createEscalateInstruction);
