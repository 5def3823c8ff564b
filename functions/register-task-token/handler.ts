import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { registerTaskToken } from '../app/register-task-token.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

const RegisterInput = InstructionTaskInput.extend({ taskToken: z.string().min(1) });

/** The `.waitForTaskToken` task: stores the token, or completes it at once (app/register-task-token.ts). */
export const createRegisterTaskToken = (deps: Dependencies) =>
  taskHandler(RegisterInput, ({ instructionId, taskToken }) =>
    registerTaskToken(deps, instructionId, taskToken),
  );

export const handler = lambdaEntry(createRegisterTaskToken);
