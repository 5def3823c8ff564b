import { z } from 'zod';
import { type Dependencies, lambdaEntry } from '../adapters/dependencies.ts';
import { type MetricPoint, MetricUnit, metricNames } from '../adapters/metrics.ts';
import { type DeliveryStep, deliverInstruction } from '../app/deliver-instruction.ts';
import { sendReminder } from '../app/send-reminder.ts';
import { InstructionTaskInput, taskHandler } from '../workflow/task-handler.ts';

const DispatchInput = InstructionTaskInput.extend({ kind: z.enum(['FREEZE', 'REMINDER']) });

/** A delivery that reached the bank counts once, and the first one also gives its latency. */
export const dispatchMetrics = (step: DeliveryStep): MetricPoint[] | undefined =>
  step.outcome !== 'DELIVERED'
    ? undefined
    : [
        { name: metricNames.instructionsDelivered, value: 1, unit: MetricUnit.Count },
        ...(step.deliveryLatencyMs === undefined
          ? []
          : [
              {
                name: metricNames.deliveryLatency,
                value: step.deliveryLatencyMs,
                unit: MetricUnit.Milliseconds,
              },
            ]),
      ];

/**
 * The workflow's delivery step: one attempt at delivering the instruction (FREEZE, or a RELEASE
 * instruction) or its REMINDER. A transient fault is not thrown: the answer says when to try again
 * (the workflow waits and loops, app/deliver-instruction.ts), so the schedule can honour Retry-After
 * and run until the instruction's deadline.
 */
export const createDispatchInstruction = (deps: Dependencies) =>
  taskHandler(
    DispatchInput,
    async ({ instructionId, kind }): Promise<DeliveryStep> =>
      kind === 'REMINDER' ? sendReminder(deps, instructionId) : deliverInstruction(deps, instructionId),
    dispatchMetrics,
  );

export const handler = lambdaEntry(createDispatchInstruction);
