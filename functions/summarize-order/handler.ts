import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { Id } from '../schemas/common.ts';
import { taskHandler } from '../workflow/task-handler.ts';

const SummarizeInput = z.object({ caseId: Id, orderId: Id, instructionIds: z.array(Id) });

/**
 * Last state of the fan-out: every instruction's own execution has been started. The summary is the
 * execution's output (what was fanned out, and when); statuses live on the instructions.
 */
export const createSummarizeOrder = (deps: Dependencies) =>
  taskHandler(SummarizeInput, async ({ caseId, orderId, instructionIds }) => ({
    caseId,
    orderId,
    instructionsStarted: instructionIds.length,
    fannedOutAt: deps.now().toISOString(),
  }));

export const handler = lambdaEntry(createSummarizeOrder);
