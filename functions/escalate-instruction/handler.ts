import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import { toMoneyJson } from '../domain/money.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/**
 * No answer after the reminder: the instruction stays OVERDUE and is escalated (escalatedAt and an
 * audit event, then an `InstructionEscalated` event on the bus; a late confirmation is still accepted).
 * A retried step whose write already happened does not publish again (at most once per escalation;
 * the audit event is the record).
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
    if (result?.changed) {
      const i = result.before;
      await deps.events.publish({
        detailType: 'InstructionEscalated',
        detail: {
          caseId: i.caseId,
          instructionId: i.instructionId,
          bankId: i.bankId,
          hop: i.hop,
          amount: toMoneyJson(i.requested),
          deadlineAt: i.deadlineAt,
          reminderDeadlineAt: i.reminderDeadlineAt,
          escalatedAt: at(),
        },
      });
    }
    return { escalated: result?.changed === true };
  });

export const handler = lambdaEntry(createEscalateInstruction);
