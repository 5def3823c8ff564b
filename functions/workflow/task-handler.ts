import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ZodType, z } from 'zod';
import { correlate, loggerMiddleware } from '../adapters/logger.ts';
import { type MetricName, type MetricPoint, metricsMiddleware, recordMetric } from '../adapters/metrics.ts';
import { Id } from '../schemas/common.ts';

/** Input every instruction task receives from the state machine. */
export const InstructionTaskInput = z.object({ caseId: Id, instructionId: Id });
export type InstructionTaskInput = z.infer<typeof InstructionTaskInput>;

/**
 * A workflow task handler: the state machine's Payload parsed with zod (a malformed payload is a
 * bug in the ASL, so it fails the task loudly), then the task. The same function runs in Lambda
 * and, bound by state name, in the local engine.
 */
export function taskHandler<I, O>(
  schema: ZodType<I>,
  task: (input: I) => Promise<O>,
  /**
   * The domain metrics a result counts for, if any: a name counts 1 (a delivery that reached the
   * bank), a point carries its value and unit (the delivery's latency).
   */
  metricOf?: (output: O) => MetricName | readonly MetricPoint[] | undefined,
) {
  return middy<unknown, O, Error, Context>()
    .use(loggerMiddleware())
    .use(metricsMiddleware())
    .handler(async (event) => {
      const input = schema.parse(event);
      correlate(input as Record<string, unknown>);
      const output = await task(input);
      const metric = metricOf?.(output);
      if (typeof metric === 'string') recordMetric(metric);
      else for (const point of metric ?? []) recordMetric(point.name, point.value, point.unit);
      return output;
    });
}
