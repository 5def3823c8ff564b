import type { Dependencies } from '../adapters/dependencies.ts';
import { storeTaskToken } from '../adapters/dynamo/instructions.ts';
import { isAwaitingConfirmation } from '../domain/instruction-lifecycle.ts';

/**
 * The `.waitForTaskToken` task: stores the token on the instruction. If the bank's confirmation was
 * recorded before the token (a bank may answer the push at once), completes the token here: the
 * write order in DynamoDB guarantees one of the two sides sees the other (app/record-confirmation.ts
 * reads the token after its commit), so no wait is ever lost.
 */
export async function registerTaskToken(
  deps: Dependencies,
  instructionId: string,
  taskToken: string,
): Promise<{ completed: boolean }> {
  const instruction = await storeTaskToken(deps.db, instructionId, taskToken);
  if (!instruction) throw new Error(`instruction ${instructionId} does not exist`);
  if (!isAwaitingConfirmation(instruction.status) || instruction.late) {
    await deps.workflow.sendTaskSuccess(taskToken, { instructionId, status: instruction.status });
    return { completed: true };
  }
  return { completed: false };
}
