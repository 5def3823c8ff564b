import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { WorkflowClient, WorkflowName } from '../functions/adapters/workflow-client.ts';
import { executionName } from '../functions/adapters/workflow-client.ts';
import { readWorkflowDefinition, taskBindings, type WorkflowFunctionId } from '../workflows/definitions.ts';
import type { Meter } from './meter.ts';

type TaskFunction = (input: unknown) => Promise<unknown>;
type JsonValue = Parameters<StateMachine['run']>[0];

export interface ExecutionRecord {
  workflow: WorkflowName;
  name: string;
  input: Record<string, unknown>;
  startedAt: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  done: Promise<void>;
}

export interface LocalEngineOptions {
  /** Shorter retry sleeps for tests (aws-local-stepfunctions `retryIntervalOverrides`). */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Shorter Wait states for tests (aws-local-stepfunctions `waitTimeOverrides`, ms per state name). */
  waitTimeOverrides?: Record<string, number>;
  /**
   * Bounds on what the engine keeps of FINISHED executions (a running one is never forgotten): the
   * most recent `keepFinishedRecords` records stay in `executions` (default 1,000: tests, the demo);
   * an older one is dropped but its name is remembered, so that a start by that name is still a no-op
   * (AWS keeps names for 90 days), for the most recent `rememberFinishedNames` names (default 50,000).
   * Without a bound a long run grows without end (a record with its input and output per execution).
   */
  keepFinishedRecords?: number;
  rememberFinishedNames?: number;
  /** Counts executions and state transitions (local/meter.ts); nothing is counted without it. */
  meter?: Meter;
}

class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * The local Step Functions: aws-local-stepfunctions runs the SAME ASL files, with each Task state
 * bound by name (workflows/definitions.ts) to the same handler functions as in AWS, and a task-token
 * broker behind the WorkflowClient port: a `.waitForTaskToken` task calls its handler with a fresh
 * token and then awaits the promise that sendTaskSuccess/sendTaskFailure settles (or the Task's
 * TimeoutSeconds, which the engine raises as States.Timeout).
 */
export class LocalWorkflowEngine extends EventEmitter implements WorkflowClient {
  private readonly machines: Record<WorkflowName, StateMachine>;
  private readonly waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly tokensByExecution = new Map<string, Set<string>>();
  readonly executions = new Map<string, ExecutionRecord>();
  /** Keys of the finished executions still in `executions`, oldest first. */
  private readonly finishedKeys = new Set<string>();
  /** Keys of finished executions dropped from `executions`, oldest first: starting one is a no-op. */
  private readonly pastNames = new Set<string>();
  private readonly aborts = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly functions: ReadonlyMap<WorkflowFunctionId, TaskFunction>,
    private readonly options: LocalEngineOptions = {},
  ) {
    super();
    const build = (w: WorkflowName) =>
      new StateMachine(JSON.parse(readWorkflowDefinition(w)) as StateMachineDefinition, {
        validationOptions: { checkArn: true, checkPaths: true },
      });
    this.machines = {
      freezeOrder: build('freezeOrder'),
      stopPaymentInstruction: build('stopPaymentInstruction'),
      holdTimer: build('holdTimer'),
    };
  }

  async startExecution(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<void> {
    const key = `${workflow}:${executionName(name)}`;
    // same name: already started (as in AWS)
    if (this.stopped || this.executions.has(key) || this.pastNames.has(key)) return;
    const executionId = `${key}:${randomUUID()}`;
    const tokens = new Set<string>();
    this.tokensByExecution.set(executionId, tokens);
    const context = {
      Execution: {
        Id: executionId,
        Name: executionName(name),
        Input: input as JsonValue,
        StartTime: new Date().toISOString(),
      },
      Task: {
        // Read once per `$$.Task.Token` in Parameters: a fresh token for each waiting task.
        get Token() {
          const token = randomUUID();
          tokens.add(token);
          return token;
        },
      },
    };
    const run = this.machines[workflow].run(input as JsonValue, {
      overrides: {
        taskResourceLocalHandlers: this.bindingsOf(workflow),
        retryIntervalOverrides: this.options.retryIntervalOverrides,
        waitTimeOverrides: this.options.waitTimeOverrides,
      },
      context,
      noThrowOnAbort: true,
    });
    this.aborts.add(run.abort);
    // Metered: the execution counts as ended once its event log is counted too.
    const meter = this.options.meter;
    const result = meter
      ? Promise.all([run.result, countTransitions(meter, workflow, run.eventLogs)]).then(([output]) => output)
      : run.result;
    const record: ExecutionRecord = {
      workflow,
      name,
      input,
      startedAt: Date.now(),
      status: 'RUNNING',
      done: result
        .then(
          (output) => {
            record.status = this.stopped ? 'ABORTED' : 'SUCCEEDED';
            record.output = output;
            this.emit('executionSucceeded', record);
          },
          (error: Error) => {
            record.status = 'FAILED';
            record.error = `${error.name}: ${error.message}`;
            this.emit('executionFailed', record);
          },
        )
        .finally(() => {
          this.aborts.delete(run.abort);
          // A timed-out wait leaves its token behind: forget the execution's tokens when it ends.
          for (const token of tokens) this.waiting.delete(token);
          this.tokensByExecution.delete(executionId);
          this.retire(key);
        }),
    };
    this.executions.set(key, record);
    this.emit('executionStarted', record);
  }

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    const waiter = this.waiting.get(taskToken);
    this.waiting.delete(taskToken);
    waiter?.resolve(output);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const waiter = this.waiting.get(taskToken);
    this.waiting.delete(taskToken);
    waiter?.reject(new TaskFailure(error, cause));
  }

  /** Resolves when no execution is running (tests and the demo). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.done));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const abort of this.aborts) abort();
    for (const waiter of this.waiting.values())
      waiter.reject(new TaskFailure('States.Aborted', 'engine stopped'));
    this.waiting.clear();
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
  }

  /** A finished execution: keep its record among the most recent, remember the names of older ones. */
  private retire(key: string): void {
    const keep = this.options.keepFinishedRecords ?? 1_000;
    const remember = this.options.rememberFinishedNames ?? 50_000;
    this.finishedKeys.add(key);
    for (const oldest of this.finishedKeys) {
      if (this.finishedKeys.size <= keep) break;
      this.finishedKeys.delete(oldest);
      this.executions.delete(oldest);
      this.pastNames.add(oldest);
    }
    for (const oldest of this.pastNames) {
      if (this.pastNames.size <= remember) break;
      this.pastNames.delete(oldest);
    }
  }

  /** The bindings of each workflow, made once (they close over the engine, not the execution). */
  private readonly boundTasks = new Map<
    WorkflowName,
    Record<string, (input: JsonValue) => Promise<JsonValue>>
  >();
  private bindingsOf(workflow: WorkflowName): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    let bound = this.boundTasks.get(workflow);
    if (!bound) {
      bound = this.bindings(workflow);
      this.boundTasks.set(workflow, bound);
    }
    return bound;
  }

  private bindings(workflow: WorkflowName): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    const definition = JSON.parse(readWorkflowDefinition(workflow)) as { States: Record<string, unknown> };
    const resources = collectTaskResources(definition.States);
    const out: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [stateName, target] of Object.entries(taskBindings[workflow])) {
      const resource = resources.get(stateName) ?? '';
      if (target === 'startInstructionWorkflow') {
        // arn:aws:states:::states:startExecution with {StateMachineArn, Name, Input}: fire and forget.
        out[stateName] = async (input) => {
          const params = input as { Name: string; Input: Record<string, unknown> };
          await this.startExecution('stopPaymentInstruction', params.Name, params.Input);
          return {};
        };
        continue;
      }
      const fn = this.functions.get(target);
      if (!fn) throw new Error(`no local function bound for ${target}`);
      if (resource.endsWith('.waitForTaskToken')) {
        out[stateName] = async (input) => {
          const params = input as { FunctionName: string; Payload: { taskToken: string } };
          const token = params.Payload.taskToken;
          const settled = new Promise<unknown>((resolve, reject) =>
            this.waiting.set(token, { resolve, reject }),
          );
          // stop() may reject the wait while the registration is still running (a slow database):
          // it is awaited below, so mark it handled now rather than leave an unhandled rejection.
          settled.catch(() => undefined);
          try {
            await fn(params.Payload);
          } catch (error) {
            // The registration failed (it may be retried with a new token): forget this token quietly.
            this.waiting.delete(token);
            throw error;
          }
          return (await settled) as JsonValue;
        };
      } else {
        // arn:aws:states:::lambda:invoke returns the function's result under `Payload`.
        out[stateName] = async (input) => {
          const params = input as { FunctionName: string; Payload: unknown };
          return { Payload: (await fn(params.Payload)) as JsonValue };
        };
      }
    }
    return out;
  }
}

/**
 * Step Functions (Standard) bills a state transition for every state entered — the Map state and each
 * iteration's inner states (forwarded to the root event log by aws-local-stepfunctions) included — and
 * for every retry of a state. Read from the execution's event log, which always closes when the
 * execution ends (succeeded, failed, aborted or timed out).
 */
async function countTransitions(
  meter: Meter,
  workflow: WorkflowName,
  events: ReturnType<StateMachine['run']>['eventLogs'],
): Promise<void> {
  meter.executionStarted(workflow);
  try {
    for await (const event of events) {
      if (event.type === 'StateEntered') meter.stateTransition(workflow);
      else if (event.type === 'StateRetried') meter.stateTransition(workflow, true);
    }
  } catch {
    // counting never fails an execution
  }
}

/** State name -> Resource of every Task, at any depth (Map ItemProcessors included). */
function collectTaskResources(
  states: Record<string, unknown>,
  into = new Map<string, string>(),
): Map<string, string> {
  for (const [name, state] of Object.entries(states)) {
    const s = state as {
      Type?: string;
      Resource?: string;
      ItemProcessor?: { States: Record<string, unknown> };
      Iterator?: { States: Record<string, unknown> };
    };
    if (s.Type === 'Task' && s.Resource) into.set(name, s.Resource);
    const inner = s.ItemProcessor ?? s.Iterator;
    if (inner) collectTaskResources(inner.States, into);
  }
  return into;
}
