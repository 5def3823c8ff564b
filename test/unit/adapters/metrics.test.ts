/**
 * Domain metrics leave a task as CloudWatch EMF, with the correlation ids on the log lines; outside
 * Lambda nothing is written (local runs and tests stay quiet).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { metricNames } from '../../../functions/adapters/metrics.ts';
import type { DeliveryStep } from '../../../functions/app/deliver-instruction.ts';
import { dispatchMetrics } from '../../../functions/dispatch-instruction/handler.ts';
import { taskHandler } from '../../../functions/workflow/task-handler.ts';
import { localLambdaContext } from '../../../local/lambda-context.ts';

function captureStdout(): { lines: () => string[]; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return { lines: () => chunks.join('').split('\n').filter(Boolean), restore: () => spy.mockRestore() };
}

interface EmfLine extends Record<string, unknown> {
  _aws?: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
}

/** Runs one task invocation and returns the EMF lines it wrote to stdout. */
async function emfLinesOf(
  task: (event: unknown, context: ReturnType<typeof localLambdaContext>) => Promise<unknown>,
): Promise<EmfLine[]> {
  const out = captureStdout();
  try {
    await task({ caseId: 'C1', instructionId: 'C1.O1.1' }, localLambdaContext('dispatch'));
  } finally {
    out.restore();
  }
  return out
    .lines()
    .map((l) => JSON.parse(l) as EmfLine)
    .filter((l) => l._aws);
}

const delivered = taskHandler(
  z.object({ caseId: z.string(), instructionId: z.string() }),
  async () => ({ outcome: 'DELIVERED' as const }),
  (out) => (out.outcome === 'DELIVERED' ? metricNames.instructionsDelivered : undefined),
);

afterEach(() => vi.unstubAllEnvs());

describe('metrics from the task wrapper', () => {
  it('writes InstructionsDelivered as EMF in namespace freezeflow inside Lambda', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'freezeflow-dispatch');
    const emf = await emfLinesOf(delivered);
    expect(emf).toHaveLength(1);
    expect(emf[0]?._aws?.CloudWatchMetrics[0]?.Namespace).toBe('freezeflow');
    expect(emf[0]?._aws?.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name)).toEqual(['InstructionsDelivered']);
    expect(emf[0]).toMatchObject({ InstructionsDelivered: 1, service: 'freezeflow' });
  });

  it('writes the dispatch step’s DeliveryLatency in milliseconds beside InstructionsDelivered', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'freezeflow-dispatch');
    const step: DeliveryStep = {
      outcome: 'DELIVERED',
      awaiting: true,
      timeoutSeconds: 600,
      waitSeconds: 1,
      deliveryLatencyMs: 2_345,
    };
    const withLatency = taskHandler(
      z.object({ caseId: z.string(), instructionId: z.string() }),
      async () => step,
      dispatchMetrics,
    );
    const emf = await emfLinesOf(withLatency);
    const metrics = emf.flatMap((l) => l._aws?.CloudWatchMetrics[0]?.Metrics ?? []);
    expect(metrics).toContainEqual({ Name: 'DeliveryLatency', Unit: 'Milliseconds' });
    expect(metrics.map((m) => m.Name)).toContain('InstructionsDelivered');
    expect(emf.find((l) => 'DeliveryLatency' in l)).toMatchObject({ DeliveryLatency: 2_345 });
  });

  it('writes nothing outside Lambda', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    const out = captureStdout();
    try {
      await delivered({ caseId: 'C1', instructionId: 'C1.O1.1' }, localLambdaContext('dispatch'));
    } finally {
      out.restore();
    }
    expect(out.lines().filter((l) => l.includes('_aws'))).toEqual([]);
  });
});
