import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { metricNames } from '../adapters/metrics.ts';
import { escalateInstruction } from '../app/escalate-instruction.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

/** Why the workflow escalates: no answer after the reminder, or the error a Catch caught. */
const EscalateInput = InstructionTaskInput.extend({
  reason: z.string().max(2_000).optional(),
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

/** A person must look at the instruction (app/escalate-instruction.ts). */
export const createEscalateInstruction = (deps: Dependencies) =>
  taskHandler(
    EscalateInput,
    ({ instructionId, reason, error }) =>
      escalateInstruction(
        deps,
        instructionId,
        error
          ? `${error.Error}: ${String(error.Cause ?? '').slice(0, 500)}`
          : (reason ?? 'no answer after the reminder'),
        'system:workflow',
        error === undefined,
      ),
    (result) => (result.escalated ? metricNames.instructionsEscalated : undefined),
  );

export const handler = lambdaEntry(createEscalateInstruction);
