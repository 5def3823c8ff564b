import { beforeAll, describe, expect, it } from 'vitest';
import { STATE_MACHINE_ARN_ENV, type WorkflowName } from '../../functions/adapters/workflow-client.ts';
import { stateMachineName } from '../../infra/constructs/state-machine-names.ts';
import { substitutionKeys } from '../../infra/constructs/workflow.ts';
import type { FunctionFolder } from '../../infra/function-catalog.ts';
import {
  INSTRUCTION_STATE_MACHINE_SUBSTITUTION,
  PARTITION_SUBSTITUTION,
  readWorkflowTemplate,
  stateNames,
  taskBindings,
  workflowFunctions,
} from '../../workflows/definitions.ts';
import { type Built, buildStack, ofType, type Resource, type Statement } from './fixture.ts';

let built: Built;
beforeAll(() => {
  built = buildStack();
});

const workflows = Object.keys(STATE_MACHINE_ARN_ENV) as WorkflowName[];

type State = { Type: string; Resource?: string; Parameters?: Record<string, unknown>; ItemProcessor?: Asl };
type Asl = { States: Record<string, State> };

/** Every state, Map item processors included. */
function allStates(asl: Asl): [string, State][] {
  return Object.entries(asl.States).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

function machine(workflow: WorkflowName): Resource {
  return built.resources[built.logicalId(built.stack.workflow.stateMachines[workflow])]!;
}

function machineStatements(workflow: WorkflowName): Statement[] {
  const roleId = (machine(workflow).Properties.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return ofType(built.resources, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const unwrap = (s: string) => /^\$\{([A-Za-z0-9_]+)\}$/.exec(s)?.[1];

it('deploys exactly the three workflows', () => {
  expect([...workflows].sort()).toEqual(['freezeOrder', 'holdTimer', 'stopPaymentInstruction']);
  expect(ofType(built.resources, 'AWS::StepFunctions::StateMachine')).toHaveLength(workflows.length);
});

for (const workflow of workflows) {
  describe(`state machine ${workflow}`, () => {
    const asl = () => JSON.parse(readWorkflowTemplate(workflow)) as Asl;
    const substitutions = () =>
      machine(workflow).Properties.DefinitionSubstitutions as Record<string, unknown>;

    it('is a Standard machine with the ASL inlined, its fixed name, tracing and logs without execution data', () => {
      const props = machine(workflow).Properties;
      expect(JSON.parse(props.DefinitionString as string)).toEqual(asl());
      expect(props).toMatchObject({
        StateMachineName: stateMachineName(built.stack, workflow),
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
      const logGroupId =
        props.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      expect(built.resources[logGroupId]?.Properties.RetentionInDays).toBe(30);
    });

    it('gets a value for every substitution the ASL uses, and nothing else', () => {
      const used = substitutionKeys(readWorkflowTemplate(workflow));
      expect(used.length).toBeGreaterThan(0);
      expect(Object.keys(substitutions()).sort()).toEqual([...used].sort());
    });

    it('resolves every lambda:invoke FunctionName to the function of that workflowFunctions entry', () => {
      const tasks = allStates(asl()).filter(
        ([, s]) => s.Type === 'Task' && s.Resource?.includes(':::lambda:invoke'),
      );
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, state] of tasks) {
        const key = unwrap(state.Parameters?.FunctionName as string);
        const entry = Object.values(workflowFunctions).find((f) => f.substitution === key);
        expect(entry, `${name}: ${String(state.Parameters?.FunctionName)}`).toBeDefined();
        const value = substitutions()[key!] as { 'Fn::GetAtt': [string, string] };
        expect(value, name).toEqual({
          'Fn::GetAtt': [built.functionId(entry!.handler as FunctionFolder), 'Arn'],
        });
        expect(built.resources[value['Fn::GetAtt'][0]]?.Type).toBe('AWS::Lambda::Function');
        const binding = taskBindings[workflow][name];
        if (binding && binding !== 'startInstructionWorkflow') {
          expect(workflowFunctions[binding].substitution, `taskBindings.${workflow}.${name}`).toBe(key);
        }
      }
    });

    it('may invoke exactly the functions its ASL names (unqualified ARNs), and nothing else of Lambda', () => {
      const invoked = machineStatements(workflow).filter((s) =>
        [s.Action].flat().includes('lambda:InvokeFunction'),
      );
      const expected = Object.values(substitutions()).filter(
        (v) =>
          built.resources[(v as { 'Fn::GetAtt'?: [string] })['Fn::GetAtt']?.[0] ?? '']?.Type ===
          'AWS::Lambda::Function',
      );
      expect(invoked.flatMap((s) => [s.Resource].flat())).toEqual(expect.arrayContaining(expected));
      expect(invoked.flatMap((s) => [s.Resource].flat())).toHaveLength(expected.length);
      const actions = machineStatements(workflow).flatMap((s) => [s.Action].flat());
      expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual(['lambda:InvokeFunction']);
    });
  });
}

describe('fan-out from freezeOrder to stopPaymentInstruction', () => {
  it('starts instruction executions by the instruction machine ARN', () => {
    const asl = JSON.parse(readWorkflowTemplate('freezeOrder')) as Asl;
    const starts = allStates(asl).filter(([, s]) => s.Resource?.endsWith(':::states:startExecution'));
    expect(starts.length).toBeGreaterThan(0);
    for (const [, state] of starts) {
      expect(unwrap(state.Parameters?.StateMachineArn as string)).toBe(
        INSTRUCTION_STATE_MACHINE_SUBSTITUTION,
      );
    }
    const instructionId = built.logicalId(built.stack.workflow.stateMachines.stopPaymentInstruction);
    expect(
      (machine('freezeOrder').Properties.DefinitionSubstitutions as Record<string, unknown>)[
        INSTRUCTION_STATE_MACHINE_SUBSTITUTION
      ],
    ).toEqual({ Ref: instructionId });
  });

  it('lets freezeOrder start instruction executions, without the extras of .sync', () => {
    const instructionId = built.logicalId(built.stack.workflow.stateMachines.stopPaymentInstruction);
    const statements = machineStatements('freezeOrder');
    const start = statements.filter((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(start.map((s) => s.Resource)).toEqual([{ Ref: instructionId }]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    for (const forbidden of [
      'states:DescribeExecution',
      'states:StopExecution',
      'events:PutTargets',
      'events:PutRule',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
    expect(machineStatements('stopPaymentInstruction').flatMap((s) => [s.Action].flat())).not.toContain(
      'states:StartExecution',
    );
  });
});

describe('the hold timer (expiry of holds)', () => {
  it('runs check-hold, waits until the timestamp it returns, escalates a failed step, and needs nothing else', () => {
    const asl = JSON.parse(readWorkflowTemplate('holdTimer')) as Asl;
    expect(substitutionKeys(readWorkflowTemplate('holdTimer')).sort()).toEqual(
      [
        workflowFunctions.checkHold.substitution,
        workflowFunctions.escalateInstruction.substitution,
        PARTITION_SUBSTITUTION,
      ].sort(),
    );
    expect(
      (machine('holdTimer').Properties.DefinitionSubstitutions as Record<string, unknown>)[
        workflowFunctions.checkHold.substitution
      ],
    ).toEqual({ 'Fn::GetAtt': [built.functionId('check-hold'), 'Arn'] });
    const waits = allStates(asl).filter(([, s]) => s.Type === 'Wait');
    expect(waits.map(([name]) => name)).toEqual([stateNames.holdTimer.waitForHoldEnd]);
    expect((waits[0]![1] as { TimestampPath?: string }).TimestampPath).toBeDefined();
    const statements = machineStatements('holdTimer');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => /^(states|dynamodb|kms|events):/.test(a))).toEqual([]);
    expect(
      statements
        .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))
        .flatMap((s) => [s.Resource].flat()),
    ).toEqual([
      { 'Fn::GetAtt': [built.functionId('check-hold'), 'Arn'] },
      { 'Fn::GetAtt': [built.functionId('escalate-instruction'), 'Arn'] },
    ]);
  });

  it('is started by no state machine (only follow-the-money starts it, see functions.test.ts)', () => {
    const holdTimerId = built.logicalId(built.stack.workflow.stateMachines.holdTimer);
    for (const workflow of workflows) {
      const starts = machineStatements(workflow).filter((s) =>
        [s.Action].flat().includes('states:StartExecution'),
      );
      expect(JSON.stringify(starts), workflow).not.toContain(holdTimerId);
      expect(JSON.stringify(starts), workflow).not.toContain('HoldTimer');
    }
  });
});

describe('state machine ARNs built from names (no CloudFormation cycle)', () => {
  it('gives every function all three ARNs, naming the machines the stack creates', () => {
    // CDK's handler that copies the console's files (infra/constructs/console.ts) and Cognito's
    // pre-token-generation trigger (infra/constructs/identity.ts) are no freezeflow API functions.
    const trigger = built.logicalId(built.stack.identity!.trigger);
    const functions = ofType(built.resources, 'AWS::Lambda::Function').filter(
      ([id]) => !id.startsWith('CustomCDKBucketDeployment') && id !== trigger,
    );
    for (const [, fn] of functions) {
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      for (const workflow of workflows) {
        const arn = env[STATE_MACHINE_ARN_ENV[workflow]] as { 'Fn::Join': [string, unknown[]] };
        const parts = arn['Fn::Join'][1];
        expect(parts[0]).toBe('arn:');
        expect(parts.at(-1)).toBe(`:stateMachine:${stateMachineName(built.stack, workflow)}`);
        expect(JSON.stringify(parts)).toContain(':states:');
      }
    }
  });

  it('keeps state machine names stack-scoped and valid', () => {
    for (const workflow of workflows) {
      expect(stateMachineName(built.stack, workflow)).toMatch(/^FreezeflowStack-[A-Za-z]+$/);
    }
  });
});
