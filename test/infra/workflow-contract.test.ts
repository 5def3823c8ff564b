/**
 * Contract of the state machines as deployed (issue 12 §5b): the template's DefinitionString with its
 * DefinitionSubstitutions applied (function and machine ARNs spelled for the stack's partition and
 * region), for an `aws` and an `aws-cn` region. asl-validator passes; no definition names a partition
 * itself; every Task times out after the Lambda it wraps; every Task has a Catch of States.ALL; the
 * executions the fan-out starts get names of [0-9A-Za-z_-]{1,80}.
 */
import { createRequire } from 'node:module';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { EXECUTION_NAME_PATTERN } from '../../functions/adapters/workflow-client.ts';
import { workflowNames } from '../../infra/constructs/state-machine-names.ts';
import { stateNames } from '../../workflows/definitions.ts';
import type { Resource } from './fixture.ts';
import { partitionRegions, type Synthesized, synthesizeFor } from './partitioned.ts';

type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
// asl-validator is CommonJS without types.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const ACCOUNT = '123456789012';

interface TaskState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Catch?: { ErrorEquals: string[] }[];
  ItemProcessor?: { States: Record<string, TaskState> };
  Iterator?: { States: Record<string, TaskState> };
}

function statesOf(states: Record<string, TaskState>): [string, TaskState][] {
  return Object.entries(states).flatMap(([name, s]) => {
    const inner = s.ItemProcessor ?? s.Iterator;
    return [[name, s] as [string, TaskState], ...(inner ? statesOf(inner.States) : [])];
  });
}

/** The deployed definition of each machine: substitutions applied as CloudFormation would. */
function deployedDefinitions(synth: Synthesized, partition: string, region: string) {
  const machines = Object.entries(synth.resources).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  const arnOf = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt && synth.resources[getAtt[0]]?.Type === 'AWS::Lambda::Function') {
      return `arn:${partition}:lambda:${region}:${ACCOUNT}:function:${getAtt[0]}`;
    }
    const ref = (value as { Ref?: string }).Ref;
    const target: Resource | undefined = ref ? synth.resources[ref] : undefined;
    if (ref && target?.Type === 'AWS::StepFunctions::StateMachine') {
      return `arn:${partition}:states:${region}:${ACCOUNT}:stateMachine:${target.Properties.StateMachineName}`;
    }
    throw new Error(`unexpected substitution value ${JSON.stringify(value)}`);
  };
  return machines.map(([id, m]) => {
    const raw = m.Properties.DefinitionString as string;
    const subs = (m.Properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const text = raw.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, key: string) => {
      if (!(key in subs)) throw new Error(`${id}: no substitution for ${key}`);
      return arnOf(subs[key]);
    });
    return { id, name: m.Properties.StateMachineName as string, raw, definition: JSON.parse(text) };
  });
}

describe.each(partitionRegions)('deployed state machines, $partition ($region)', ({ partition, region }) => {
  const synth = () => synthesizeFor(region);
  const machines = () => deployedDefinitions(synth(), partition, region);
  const lambdaTimeout = (arn: string): number => {
    const id = arn.split(':function:')[1] ?? '';
    const timeout = synth().resources[id]?.Properties.Timeout as number | undefined;
    if (timeout === undefined) throw new Error(`no Lambda timeout for ${arn}`);
    return timeout;
  };

  it('are all three, and pass asl-validator (ARNs and paths checked)', () => {
    expect(machines()).toHaveLength(workflowNames.length);
    for (const m of machines()) {
      const result = aslValidator(m.definition, { checkArn: true, checkPaths: true });
      expect(result.errorsText('\n'), m.id).toBe('');
      expect(result.isValid, m.id).toBe(true);
    }
  });

  it('name no partition in the definition itself, and only the stack partition once substituted', () => {
    for (const m of machines()) {
      expect(m.raw, m.id).not.toMatch(/arn:aws/);
      const partitions = [...JSON.stringify(m.definition).matchAll(/arn:([a-z-]+):/g)].map((x) => x[1]);
      expect(partitions.length, m.id).toBeGreaterThan(0);
      expect(new Set(partitions), m.id).toEqual(new Set([partition]));
    }
  });

  it('give every Task a Catch of States.ALL', () => {
    for (const m of machines()) {
      const tasks = statesOf(m.definition.States).filter(([, s]) => s.Type === 'Task');
      expect(tasks.length, m.id).toBeGreaterThan(0);
      const uncaught = tasks
        .filter(([, s]) => !s.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')))
        .map(([n]) => n);
      expect(uncaught, m.id).toEqual([]);
    }
  });

  it("time every Lambda Task out after the Lambda's own timeout (a retry never overlaps a live attempt)", () => {
    let checked = 0;
    for (const m of machines()) {
      for (const [name, s] of statesOf(m.definition.States)) {
        if (s.Type !== 'Task' || !s.Resource?.includes(':states:::lambda:invoke')) continue;
        const fn = s.Parameters?.FunctionName as string;
        if (s.Resource.endsWith('.waitForTaskToken')) {
          // The wait's timeout is the instruction's deadline, computed by the step before it.
          expect(s.TimeoutSecondsPath ?? s.TimeoutSeconds, `${m.id}.${name}`).toBeDefined();
          continue;
        }
        expect(s.TimeoutSeconds, `${m.id}.${name}`).toBeGreaterThan(lambdaTimeout(fn));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('start executions with names of [0-9A-Za-z_-]{1,80} (run on the deployed fan-out definition)', async () => {
    const fanOut = machines().find((m) => m.name.endsWith('-FreezeOrder'));
    expect(fanOut).toBeDefined();
    const names: string[] = [];
    const caseId = 'CTESTCASE01';
    const run = new StateMachine(fanOut!.definition, {
      validationOptions: { checkArn: true, checkPaths: true },
    }).run(
      {
        caseId,
        orderId: `${caseId}.OABC123`,
        instructionIds: [`${caseId}.OABC123.1`, `${caseId}.OABC123.2-1-1`],
      },
      {
        overrides: {
          taskResourceLocalHandlers: {
            [stateNames.freezeOrder.startInstructionWorkflow]: async (input: unknown) => {
              names.push((input as { Name: string }).Name);
              return {};
            },
            [stateNames.freezeOrder.summarizeOrder]: async () => ({ Payload: {} }),
          },
        },
      },
    );
    await run.result;
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(EXECUTION_NAME_PATTERN);
  });
});
