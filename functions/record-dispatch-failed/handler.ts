import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { metricNames } from '../adapters/metrics.ts';
import { failDelivery } from '../app/deliver-instruction.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

const FailedInput = InstructionTaskInput.extend({
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).optional(),
});

/** The delivery step itself failed for good: DISPATCH_FAILED, escalated at once (app/deliver-instruction.ts). */
export const createRecordDispatchFailed = (deps: Dependencies) =>
  taskHandler(
    FailedInput,
    async ({ instructionId, error }) => {
      const step = await failDelivery(
        deps,
        instructionId,
        `${error?.Error ?? 'unknown'}: ${String(error?.Cause ?? '').slice(0, 500)}`,
      );
      return { recorded: step.outcome === 'DONE' };
    },
    (result) => (result.recorded ? metricNames.instructionsFailed : undefined),
  );

export const handler = lambdaEntry(createRecordDispatchFailed);
