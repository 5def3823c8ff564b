import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { metricNames } from '../adapters/metrics.ts';
import { recordOverdue } from '../app/record-overdue.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/** The bank let the deadline pass: OVERDUE (app/record-overdue.ts). */
export const createRecordOverdue = (deps: Dependencies) =>
  taskHandler(
    InstructionTaskInput,
    ({ instructionId }) => recordOverdue(deps, instructionId),
    // awaiting: it just became OVERDUE (the confirmation did not win the race): the reminder follows.
    (result) => (result.awaiting ? metricNames.instructionsOverdue : undefined),
  );

export const handler = lambdaEntry(createRecordOverdue);
