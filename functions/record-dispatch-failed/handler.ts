import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { changeInstruction } from '../adapters/dynamo/instructions.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

const FailedInput = InstructionTaskInput.extend({
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

/** The connector refused for good (or retries ran out): PENDING/DISPATCHED -> DISPATCH_FAILED. */
export const createRecordDispatchFailed = (deps: Dependencies) =>
  taskHandler(FailedInput, async ({ instructionId, error }) => {
    const at = () => deps.now().toISOString();
    const reason = `${error?.Error ?? 'unknown'}: ${String(error?.Cause ?? '').slice(0, 500)}`;
    const result = await changeInstruction(deps.db, instructionId, at, {
      decide: (current) =>
        current.status === 'PENDING' || current.status === 'DISPATCHED'
          ? {
              set: { status: 'DISPATCH_FAILED', dispatchFailedAt: at(), dispatchError: reason },
              audit: [
                {
                  actor: 'system:workflow',
                  action: 'DISPATCH_FAILED',
                  subject: `${instructionId}:${error?.Error ?? 'unknown'}`,
                },
              ],
            }
          : undefined,
    });
    return { recorded: result?.changed === true };
  });

export const handler = lambdaEntry(createRecordDispatchFailed);
