import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { storeTaskToken } from '../adapters/dynamo/instructions.ts';
import { isAwaitingConfirmation } from '../domain/instruction-lifecycle.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

const RegisterInput = InstructionTaskInput.extend({ taskToken: z.string().min(1) });

/**
 * The `.waitForTaskToken` task: stores the token on the instruction. If the bank's confirmation was
 * recorded before the token (a bank may answer the push at once), completes the token here: the
 * write order in DynamoDB guarantees one of the two sides sees the other, so no wait is ever lost.
 */
export const createRegisterTaskToken = (deps: Dependencies) =>
  taskHandler(RegisterInput, async ({ instructionId, taskToken }) => {
    const instruction = await storeTaskToken(deps.db, instructionId, taskToken);
    if (!instruction) throw new Error(`instruction ${instructionId} does not exist`);
    if (!isAwaitingConfirmation(instruction.status) || instruction.late) {
      await deps.workflow.sendTaskSuccess(taskToken, { instructionId, status: instruction.status });
      return { completed: true };
    }
    return { completed: false };
  });

export const handler = lambdaEntry(createRegisterTaskToken);
