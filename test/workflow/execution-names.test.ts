/**
 * The fan-out names each instruction's execution in the ASL (intrinsics), the code names every other
 * execution (functions/adapters/workflow-client.ts): both must give the same, valid, stable name.
 * The Map's Catch would swallow an intrinsic the engine cannot evaluate, so the names are captured
 * and counted, not just "no error".
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { EXECUTION_NAME_PATTERN, executionName } from '../../functions/adapters/workflow-client.ts';
import { readWorkflowDefinition, stateNames } from '../../workflows/definitions.ts';

type StartParams = {
  StateMachineArn: string;
  Name: string;
  Input: { caseId: string; instructionId: string };
};

async function namesTheFanOutGives(caseId: string, instructionIds: string[]): Promise<StartParams[]> {
  const started: StartParams[] = [];
  const machine = new StateMachine(JSON.parse(readWorkflowDefinition('freezeOrder')), {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  const run = machine.run(
    { caseId, orderId: `${caseId}.OABC123`, instructionIds },
    {
      overrides: {
        taskResourceLocalHandlers: {
          [stateNames.freezeOrder.startInstructionWorkflow]: async (input: unknown) => {
            started.push(input as StartParams);
            return {};
          },
          [stateNames.freezeOrder.summarizeOrder]: async () => ({ Payload: {} }),
        },
      },
    },
  );
  await run.result;
  return started;
}

describe('execution names of the fan-out (workflows/freeze-order.asl.json)', () => {
  const caseId = 'CTESTCASE01';
  const ids = [`${caseId}.OABC123.1`, `${caseId}.OABC123.2`, `${caseId}.OABC123.1-3-1`];

  it('equal executionName(instructionId) of the code, match [0-9A-Za-z_-]{1,80}, carry the case id', async () => {
    const started = await namesTheFanOutGives(caseId, ids);
    expect(started.map((s) => s.Input.instructionId)).toEqual(ids);
    for (const s of started) {
      expect(s.Name).toBe(executionName(s.Input.instructionId));
      expect(s.Name).toMatch(EXECUTION_NAME_PATTERN);
      expect(s.Name.startsWith(`${caseId}-`)).toBe(true);
    }
  });

  it('are the same when the fan-out runs again (a retried start cannot run an instruction twice)', async () => {
    const first = await namesTheFanOutGives(caseId, ids);
    const again = await namesTheFanOutGives(caseId, [...ids].reverse());
    expect(new Set(again.map((s) => s.Name))).toEqual(new Set(first.map((s) => s.Name)));
    expect(new Set(first.map((s) => s.Name)).size).toBe(ids.length);
  });
});
