import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';

/**
 * Domain metrics as CloudWatch embedded metric format (Powertools): written to the function's log,
 * no API call, flushed at the end of each invocation by the middy wrappers (functions/http/http-handler.ts,
 * functions/workflow/task-handler.ts). The dashboard and docs/runbook.md read these names.
 */
export const METRIC_NAMESPACE = 'freezeflow';

export const metricNames = {
  instructionsDelivered: 'InstructionsDelivered',
  instructionsFailed: 'InstructionsDispatchFailed',
  instructionsOverdue: 'InstructionsOverdue',
  instructionsEscalated: 'InstructionsEscalated',
  /** dimension `result` (FROZEN, PARTIALLY_FROZEN, FUNDS_MOVED, ...) */
  confirmations: 'Confirmations',
  /** minor units, dimension `currency` */
  fundsFrozen: 'FundsFrozen',
  /** ms from the first attempt to the bank's acknowledgement */
  deliveryLatency: 'DeliveryLatency',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];

/** One data point with its value and unit (a count of 1 needs only the name). */
export interface MetricPoint {
  name: MetricName;
  value: number;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error };
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'freezeflow', logger: quiet });

/**
 * Only inside Lambda: locally (npm start, tests) EMF lines would flood the console with JSON that
 * no CloudWatch reads. The runtime sets AWS_LAMBDA_FUNCTION_NAME.
 */
const inLambda = () => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/** One data point; `dimension` adds one dimension to this point only. */
export function recordMetric(
  name: MetricName,
  value = 1,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count,
  dimension?: [string, string],
): void {
  if (!inLambda()) return;
  if (dimension) {
    const single = metrics.singleMetric();
    single.addDimension(dimension[0], dimension[1]);
    single.addMetric(name, unit, value);
    return;
  }
  metrics.addMetric(name, unit, value);
}

export { MetricUnit };

/** The middy middleware that writes the invocation's metrics (nothing when none were recorded). */
export const metricsMiddleware = (): middy.MiddlewareObj => {
  const flush = logMetrics(metrics);
  const when =
    (step: ((request: middy.Request) => unknown) | undefined) =>
    async (request: middy.Request): Promise<void> => {
      if (inLambda()) await step?.(request);
    };
  return { before: when(flush.before), after: when(flush.after), onError: when(flush.onError) };
};
