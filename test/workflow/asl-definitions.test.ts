/**
 * Static checks of workflows/*.asl.json against workflows/definitions.ts and against what the local
 * engine (aws-local-stepfunctions 3.0.0) can run the same way as Step Functions (STACK-NOTES).
 */
import { describe, expect, it } from 'vitest';
import type { WorkflowName } from '../../functions/adapters/workflow-client.ts';
import { WORKFLOW_LAMBDA_TIMEOUT_SECONDS } from '../../infra/constructs/functions.ts';
import {
  INSTRUCTION_STATE_MACHINE_SUBSTITUTION,
  PARTITION_SUBSTITUTION,
  stateNames,
  taskBindings,
  workflowFunctions,
} from '../../workflows/definitions.ts';
import { type AslMachine, type AslState, allStates, loadAsl } from './harness.ts';

const workflows: WorkflowName[] = ['freezeOrder', 'stopPaymentInstruction', 'holdTimer'];

/** Every object in a JSON tree, with its path, so keys can be searched at any depth. */
function objectsIn(value: unknown, path = '$'): Array<[string, Record<string, unknown>]> {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => objectsIn(v, `${path}[${i}]`));
  const obj = value as Record<string, unknown>;
  return [[path, obj], ...Object.entries(obj).flatMap(([k, v]) => objectsIn(v, `${path}.${k}`))];
}

const tasks = (m: AslMachine): Array<[string, AslState]> => allStates(m).filter(([, s]) => s.Type === 'Task');

describe.each(workflows)('%s ASL', (workflow) => {
  const asl = loadAsl(workflow);

  it('gives every Task state an explicit timeout (TimeoutSeconds or TimeoutSecondsPath)', () => {
    const missing = tasks(asl)
      .filter(([, s]) => s.TimeoutSeconds === undefined && s.TimeoutSecondsPath === undefined)
      .map(([n]) => n);
    expect(missing).toEqual([]);
    expect(tasks(asl).length).toBeGreaterThan(0);
  });

  it('has every state named in definitions.ts stateNames', () => {
    const present = new Set(allStates(asl).map(([n]) => n));
    const missing = Object.values(stateNames[workflow]).filter((n) => !present.has(n));
    expect(missing).toEqual([]);
  });

  it('binds every Task state in taskBindings, and binds nothing that is not a Task', () => {
    const taskNames = tasks(asl).map(([n]) => n);
    expect(taskNames.filter((n) => !(n in taskBindings[workflow]))).toEqual([]);
    expect(Object.keys(taskBindings[workflow]).filter((n) => !taskNames.includes(n))).toEqual([]);
  });

  it('calls, in AWS, the same function the local engine binds (FunctionName substitution = binding)', () => {
    for (const [name, state] of tasks(asl)) {
      const target = taskBindings[workflow][name];
      if (target === 'startInstructionWorkflow') {
        expect(state.Resource, name).toBe(`arn:\${${PARTITION_SUBSTITUTION}}:states:::states:startExecution`);
        expect(state.Parameters?.['StateMachineArn'], name).toBe(
          `\${${INSTRUCTION_STATE_MACHINE_SUBSTITUTION}}`,
        );
        continue;
      }
      expect(target, name).toBeDefined();
      if (target === undefined) continue;
      expect(state.Resource, name).toMatch(
        /^arn:\$\{Partition\}:states:::lambda:invoke(\.waitForTaskToken)?$/,
      );
      expect(state.Parameters?.['FunctionName'], name).toBe(`\${${workflowFunctions[target].substitution}}`);
    }
  });

  it('uses only known substitution placeholders', () => {
    const known = new Set<string>([
      INSTRUCTION_STATE_MACHINE_SUBSTITUTION,
      PARTITION_SUBSTITUTION,
      ...Object.values(workflowFunctions).map((f) => f.substitution),
    ]);
    const used = [...JSON.stringify(asl).matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] ?? '');
    expect(used.filter((u) => !known.has(u))).toEqual([]);
  });

  it('is plain JSONPath: no QueryLanguage (JSONata), no Assign, no HeartbeatSeconds', () => {
    // JSONata passes validation locally and its output is then silently ignored (STACK-NOTES).
    const forbidden = [
      'QueryLanguage',
      'Assign',
      'HeartbeatSeconds',
      'HeartbeatSecondsPath',
      'Arguments',
      'Output',
    ];
    const offending = allStates(asl).flatMap(([n, s]) =>
      forbidden.filter((k) => k in s).map((k) => `${n}.${k}`),
    );
    const machines = objectsIn(asl).filter(([, o]) => 'States' in o && 'StartAt' in o);
    const machineLevel = machines.flatMap(([path, o]) =>
      ['QueryLanguage', 'Assign'].filter((k) => k in o).map((k) => `${path}.${k}`),
    );
    expect(machines.length).toBeGreaterThan(0);
    expect([...offending, ...machineLevel]).toEqual([]);
  });

  it('catches every error of every Task and records it: an escalation, or a state that leaves the work to the reconciler', () => {
    // Issue "Every instruction reaches an end": no execution fails unseen. The catch-all of a Task
    // leads to a Task that escalates (or, in the fan-out, to a Pass: the instruction is PENDING in
    // the table and the reconciler delivers it); only an escalation that itself fails ends in Fail.
    const states = new Map(allStates(asl));
    const uncaught = tasks(asl)
      .filter(([, s]) => !(s.Catch ?? []).some((c) => c.ErrorEquals.includes('States.ALL')))
      .map(([n]) => n);
    expect(uncaught).toEqual([]);
    for (const [name, state] of tasks(asl)) {
      const target = (state.Catch ?? []).find((c) => c.ErrorEquals.includes('States.ALL'))?.Next ?? '';
      const next = states.get(target);
      const escalates = next?.Type === 'Task' && taskBindings[workflow][target] === 'escalateInstruction';
      const recorded = escalates || next?.Type === 'Pass' || next?.Type === 'Fail' || target === 'OrderDone';
      expect(recorded, `${name} -> ${target}`).toBe(true);
      // An escalation's own catch-all must not loop back into an escalation.
      if (taskBindings[workflow][name] === 'escalateInstruction') expect(next?.Type, name).toBe('Fail');
    }
  });

  it('gives every lambda:invoke Task a TimeoutSeconds above the 60 s Lambda timeout it wraps', () => {
    const short = tasks(asl)
      .filter(([, s]) => !s.Resource?.endsWith(':::lambda:invoke.waitForTaskToken'))
      .filter(([, s]) => (s.TimeoutSeconds ?? 0) <= WORKFLOW_LAMBDA_TIMEOUT_SECONDS)
      .map(([n]) => n);
    expect(short).toEqual([]);
  });

  it('has no fixed short polling loop (every Wait takes its time from a Task answer)', () => {
    const fixed = allStates(asl)
      .filter(([, s]) => s.Type === 'Wait')
      .filter(([, s]) => !('SecondsPath' in s) && !('TimestampPath' in s))
      .map(([n]) => n);
    expect(fixed).toEqual([]);
  });

  it('leads every transition to an existing state', () => {
    const check = (m: AslMachine) => {
      const names = new Set(Object.keys(m.States));
      expect(names.has(m.StartAt), m.StartAt).toBe(true);
      for (const [n, s] of Object.entries(m.States)) {
        const targets = [
          s.Next,
          s.Default,
          ...(s.Choices ?? []).map((c) => c.Next),
          ...(s.Catch ?? []).map((c) => c.Next),
        ];
        for (const t of targets) if (t !== undefined) expect(names.has(t), `${n} -> ${t}`).toBe(true);
        for (const inner of [s.ItemProcessor, s.Iterator, ...(s.Branches ?? [])]) if (inner) check(inner);
      }
    };
    check(asl);
  });
});

describe('stop-payment-instruction waits', () => {
  const asl = loadAsl('stopPaymentInstruction');
  const waits = tasks(asl).filter(([, s]) => s.Resource?.endsWith('.waitForTaskToken'));

  it('pass the task token and time out at the instruction deadline', () => {
    expect(waits.map(([n]) => n).sort()).toEqual(
      [
        stateNames.stopPaymentInstruction.awaitConfirmation,
        stateNames.stopPaymentInstruction.awaitConfirmationAfterReminder,
      ].sort(),
    );
    for (const [n, s] of waits) {
      const payload = s.Parameters?.['Payload'] as Record<string, unknown> | undefined;
      expect(payload?.['taskToken.$'], n).toBe('$$.Task.Token');
      // Resolves from the state input (AWS) and from the resolved Parameters (local engine) alike.
      expect(s.TimeoutSecondsPath, n).toBe('$.Payload.timeoutSeconds');
      expect(payload?.['timeoutSeconds.$'], n).toBe('$.Payload.timeoutSeconds');
      expect(
        s.Catch?.some((c) => c.ErrorEquals.includes('States.Timeout')),
        n,
      ).toBe(true);
    }
  });
});
