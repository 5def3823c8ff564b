import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { checkHold } from '../app/expire-hold.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/** The hold timer's step: expire a lapsed hold, or say how long to wait (app/expire-hold.ts). */
export const createCheckHold = (deps: Dependencies) =>
  taskHandler(InstructionTaskInput, ({ instructionId }) => checkHold(deps, instructionId));

export const handler = lambdaEntry(createCheckHold);
