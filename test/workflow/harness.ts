/**
 * Test harness for the workflow tier: the real ASL files run by the local engine
 * (local/workflow-engine.ts), with every Task bound to a recording STUB instead of the handlers.
 * Each stub call is recorded with its Payload (a copy), the time it started and a global sequence
 * number, so tests can assert which task ran, with what, in which order and when.
 */
import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import { executionName, type WorkflowName } from '../../functions/adapters/workflow-client.ts';
import { type ExecutionRecord, LocalWorkflowEngine } from '../../local/workflow-engine.ts';
import {
  taskBindings,
  type WorkflowFunctionId,
  workflowFiles,
  workflowFunctions,
} from '../../workflows/definitions.ts';

export type Payload = Record<string, unknown>;

export interface StubCall {
  fn: WorkflowFunctionId;
  payload: Payload;
  /** Date.now() when the engine called the stub. */
  at: number;
  /** Position among all stub calls of this Stubs instance. */
  seq: number;
}

/** A stub's behaviour; it runs synchronously inside the engine's call (it may return a promise). */
export type StubImpl = (payload: Payload, call: StubCall) => unknown;

/**
 * aws-local-stepfunctions `retryIntervalOverrides` are MILLISECONDS per state name (main.d.ts:
 * "override the duration in milliseconds a retrier ... waits"; the engine divides by 1e3 and
 * skips the FULL jitter when an override is set). 5 ms keeps retries fast but still asynchronous.
 */
export const RETRY_OVERRIDE_MS = 5;

export const CASE_ID = 'C0000000001';
export const ORDER_ID = `${CASE_ID}.OAAAAAA`;
/** Instruction ids shaped like functions/domain/ids.ts `orderInstructionId`. */
export const instructionId = (n: number, orderId = ORDER_ID): string => `${orderId}.${n}`;

export const defaultImpls: Record<WorkflowFunctionId, StubImpl> = {
  dispatchInstruction: () => ({ outcome: 'DELIVERED', awaiting: true, timeoutSeconds: 30, waitSeconds: 1 }),
  registerTaskToken: () => ({ completed: false }),
  recordOverdue: () => ({ awaiting: true }),
  escalateInstruction: () => ({ escalated: true }),
  recordDispatchFailed: () => ({ recorded: true }),
  summarizeOrder: (p) => ({
    instructions: Array.isArray(p['instructionIds']) ? p['instructionIds'].length : -1,
  }),
  checkHold: () => ({ held: false, waitUntil: new Date().toISOString() }),
};

export class Stubs {
  readonly calls: StubCall[] = [];
  private readonly impls: Record<WorkflowFunctionId, StubImpl>;

  constructor(overrides: Partial<Record<WorkflowFunctionId, StubImpl>> = {}) {
    this.impls = { ...defaultImpls, ...overrides };
  }

  set(fn: WorkflowFunctionId, impl: StubImpl): void {
    this.impls[fn] = impl;
  }

  /** The map the engine takes: one async function per id of `workflowFunctions`. */
  functions(): ReadonlyMap<WorkflowFunctionId, (input: unknown) => Promise<unknown>> {
    const ids = Object.keys(workflowFunctions) as WorkflowFunctionId[];
    return new Map(
      ids.map((fn) => [
        fn,
        async (input: unknown) => {
          const call: StubCall = {
            fn,
            payload: structuredClone(input) as Payload,
            at: Date.now(),
            seq: this.calls.length,
          };
          this.calls.push(call);
          return this.impls[fn](input as Payload, call);
        },
      ]),
    );
  }

  /** Calls of one stub, optionally only those for one instruction. */
  of(fn: WorkflowFunctionId, instruction?: string): StubCall[] {
    return this.calls.filter(
      (c) => c.fn === fn && (instruction === undefined || c.payload['instructionId'] === instruction),
    );
  }

  /** Dispatch calls of one kind (FREEZE or REMINDER). */
  dispatches(kind: 'FREEZE' | 'REMINDER', instruction?: string): StubCall[] {
    return this.of('dispatchInstruction', instruction).filter((c) => c.payload['kind'] === kind);
  }

  /** Tokens registered for an instruction, in order. */
  tokens(instruction: string): string[] {
    return this.of('registerTaskToken', instruction).map((c) => String(c.payload['taskToken']));
  }

  /** The sequence of steps one instruction went through, e.g. `dispatchInstruction:FREEZE`. */
  trail(instruction: string): string[] {
    return this.calls
      .filter((c) => c.payload['instructionId'] === instruction)
      .map((c) => (c.fn === 'dispatchInstruction' ? `${c.fn}:${String(c.payload['kind'])}` : c.fn));
  }
}

/** Every Task state of both workflows retries after RETRY_OVERRIDE_MS instead of its real backoff. */
const retryIntervalOverrides: Record<string, number> = Object.fromEntries(
  Object.values(taskBindings).flatMap((bindings) =>
    Object.keys(bindings).map((state) => [state, RETRY_OVERRIDE_MS]),
  ),
);

export function newEngine(stubs: Stubs): LocalWorkflowEngine {
  return new LocalWorkflowEngine(stubs.functions(), { retryIntervalOverrides });
}

export function execution(
  engine: LocalWorkflowEngine,
  workflow: WorkflowName,
  name: string,
): ExecutionRecord {
  const record = engine.executions.get(`${workflow}:${executionName(name)}`);
  if (!record) throw new Error(`no ${workflow} execution named ${name}`);
  return record;
}

export const instructionExecution = (engine: LocalWorkflowEngine, id: string): ExecutionRecord =>
  execution(engine, 'stopPaymentInstruction', id);

/** Starts one instruction execution directly (as the freeze-order Map would) and returns its record. */
export async function startInstruction(engine: LocalWorkflowEngine, id: string): Promise<ExecutionRecord> {
  await engine.startExecution('stopPaymentInstruction', id, { caseId: CASE_ID, instructionId: id });
  return instructionExecution(engine, id);
}

/** Polls until `predicate` holds (vi.waitFor), failing after `timeout` ms. */
export async function until(predicate: () => boolean, timeout = 5_000, what = 'condition'): Promise<void> {
  await vi.waitFor(
    () => {
      if (!predicate()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout, interval: 5 },
  );
}

/** The execution's output as an object (the engine types it as unknown). */
export function outputOf(record: ExecutionRecord): Payload {
  const out = record.output;
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw new Error(`output of ${record.name} is not an object: ${JSON.stringify(out)}`);
  }
  return out as Payload;
}

// ---- the ASL, parsed, for static checks and to read retry budgets instead of copying them ----

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  QueryLanguage?: string;
  Assign?: unknown;
  Retry?: Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string | null }>;
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string }>;
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  QueryLanguage?: string;
}

export function loadAsl(workflow: WorkflowName): AslMachine {
  return JSON.parse(readFileSync(workflowFiles[workflow], 'utf8')) as AslMachine;
}

/** Every state of a machine at any depth (Map ItemProcessor/Iterator, Parallel Branches). */
export function allStates(machine: AslMachine): Array<[string, AslState]> {
  const out: Array<[string, AslState]> = [];
  for (const [name, state] of Object.entries(machine.States)) {
    out.push([name, state]);
    const inner = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])];
    for (const m of inner) if (m) out.push(...allStates(m));
  }
  return out;
}

export function stateOf(workflow: WorkflowName, name: string): AslState {
  const found = allStates(loadAsl(workflow)).find(([n]) => n === name);
  if (!found) throw new Error(`${workflow} has no state ${name}`);
  return found[1];
}

/** MaxAttempts of the retrier of `state` that lists `error`. */
export function retryBudget(workflow: WorkflowName, state: string, error: string): number {
  const retrier = stateOf(workflow, state).Retry?.find((r) => r.ErrorEquals.includes(error));
  if (!retrier) throw new Error(`${state} does not retry ${error}`);
  return retrier.MaxAttempts ?? 3;
}
