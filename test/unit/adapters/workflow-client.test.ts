import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_PATTERN,
  executionName,
  STATE_MACHINE_ARN_ENV,
  StepFunctionsWorkflowClient,
  stepFunctionsFromEnvironment,
  type WorkflowName,
} from '../../../functions/adapters/workflow-client.ts';

const sfnMock = mockClient(SFNClient);
const workflowNames = Object.keys(STATE_MACHINE_ARN_ENV) as WorkflowName[];
/** One ARN per state machine the client knows. */
const arns = Object.fromEntries(
  workflowNames.map((w) => [w, `arn:aws:states:us-east-1:111111111111:stateMachine:${w}`]),
) as Record<WorkflowName, string>;
const client = () =>
  new StepFunctionsWorkflowClient(
    new SFNClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    arns,
  );
const meta = { $metadata: {}, message: 'x' };

beforeEach(() => {
  sfnMock.reset();
});

describe('StepFunctionsWorkflowClient.startExecution', () => {
  it('starts the named workflow with its ARN, a safe name and the JSON input', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    await client().startExecution('freezeOrder', 'CTESTCASE01.OABC123', {
      caseId: 'CTESTCASE01',
      instructionIds: ['a'],
    });
    const calls = sfnMock.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0]!.args[0].input;
    expect(sent).toMatchObject({
      stateMachineArn: arns.freezeOrder,
      name: executionName('CTESTCASE01.OABC123'),
    });
    expect(sent.name).toMatch(EXECUTION_NAME_PATTERN);
    expect(JSON.parse(sent.input ?? '')).toEqual({ caseId: 'CTESTCASE01', instructionIds: ['a'] });
    await client().startExecution('stopPaymentInstruction', 'i-1', {});
    expect(sfnMock.commandCalls(StartExecutionCommand)[1]?.args[0].input.stateMachineArn).toBe(
      arns.stopPaymentInstruction,
    );
  });

  it('an execution that already exists is success (a retried or replayed start is a no-op)', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists(meta));
    await expect(client().startExecution('freezeOrder', 'o-1', {})).resolves.toBeUndefined();
  });

  it('other errors propagate', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionLimitExceeded(meta));
    await expect(client().startExecution('freezeOrder', 'o-1', {})).rejects.toBeInstanceOf(
      ExecutionLimitExceeded,
    );
    sfnMock.on(StartExecutionCommand).rejects(new Error('network down'));
    await expect(client().startExecution('freezeOrder', 'o-1', {})).rejects.toThrow('network down');
  });
});

describe('executionName', () => {
  const ids = [
    'CTESTCASE01.OABC123.1-2',
    'CTESTCASE01.OABC123.1-2-hold',
    'CTESTCASE01.RABCDEFGH',
    'CTESTCASE01.OABC123.12-1-redeliver-20261202001122333',
    'a~b c/d',
    'x'.repeat(200),
    `${'C'.repeat(40)}.O1.1`,
  ];

  it('maps every id into [0-9A-Za-z_-]{1,80}, which CloudWatch logging of executions needs', () => {
    for (const id of ids) expect(executionName(id), id).toMatch(EXECUTION_NAME_PATTERN);
  });

  it('is stable (a retried start gets the same name) and keeps the case id in front', () => {
    const name = executionName('CTESTCASE01.OABC123.1-2');
    expect(executionName('CTESTCASE01.OABC123.1-2')).toBe(name);
    expect(name).toMatch(/^CTESTCASE01-[0-9a-f]{64}$/);
  });

  it('gives distinct ids distinct names, also ids that differ only where characters are replaced', () => {
    const similar = ['a.b', 'a~b', 'a_b', 'a-b', 'a b', `${'x'.repeat(199)}y`];
    expect(new Set([...ids, ...similar].map(executionName)).size).toBe(ids.length + similar.length);
  });

  it('keeps a name that is already valid as it is (the local engine maps names the ASL computed)', () => {
    expect(executionName('CTESTCASE01-hold')).toBe('CTESTCASE01-hold');
    const once = executionName('CTESTCASE01.OABC123.1');
    expect(executionName(once)).toBe(once);
  });
});

describe('StepFunctionsWorkflowClient.sendTaskSuccess / sendTaskFailure', () => {
  it('sends the token and the JSON output', async () => {
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    await client().sendTaskSuccess('tok-1', { instructionId: 'i', status: 'FROZEN' });
    const sent = sfnMock.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(sent?.taskToken).toBe('tok-1');
    expect(JSON.parse(sent?.output ?? '')).toEqual({ instructionId: 'i', status: 'FROZEN' });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut(meta)],
    ['TaskDoesNotExist', new TaskDoesNotExist(meta)],
    ['InvalidToken', new InvalidToken(meta)],
  ])('a finished token (%s) is ignored', async (_, error) => {
    sfnMock.on(SendTaskSuccessCommand).rejects(error);
    sfnMock.on(SendTaskFailureCommand).rejects(error);
    await expect(client().sendTaskSuccess('tok', {})).resolves.toBeUndefined();
    await expect(client().sendTaskFailure('tok', 'E', 'cause')).resolves.toBeUndefined();
  });

  it('other errors propagate', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(new InvalidOutput(meta));
    sfnMock.on(SendTaskFailureCommand).rejects(new Error('boom'));
    await expect(client().sendTaskSuccess('tok', {})).rejects.toBeInstanceOf(InvalidOutput);
    await expect(client().sendTaskFailure('tok', 'E', 'c')).rejects.toThrow('boom');
  });

  it('sendTaskFailure sends error and cause', async () => {
    sfnMock.on(SendTaskFailureCommand).resolves({});
    await client().sendTaskFailure('tok-2', 'ConnectorPermanentError', 'answered 404');
    expect(sfnMock.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: 'tok-2',
      error: 'ConnectorPermanentError',
      cause: 'answered 404',
    });
  });
});

describe('stepFunctionsFromEnvironment', () => {
  const fullEnv = Object.fromEntries(workflowNames.map((w) => [STATE_MACHINE_ARN_ENV[w], arns[w]]));

  it('builds the client when every state machine ARN is set', () => {
    expect(stepFunctionsFromEnvironment({ ...fullEnv, AWS_REGION: 'us-east-1' })).toBeInstanceOf(
      StepFunctionsWorkflowClient,
    );
  });

  it.each(workflowNames)('names the missing ARN of %s', (workflow) => {
    const env: NodeJS.ProcessEnv = { ...fullEnv };
    delete env[STATE_MACHINE_ARN_ENV[workflow]];
    expect(() => stepFunctionsFromEnvironment(env)).toThrow(STATE_MACHINE_ARN_ENV[workflow]);
  });
});
