import { createHash } from 'node:crypto';
import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { traced } from './tracer.ts';

/** The state machines of workflows/ (see workflows/definitions.ts). */
export type WorkflowName = 'freezeOrder' | 'stopPaymentInstruction' | 'holdTimer';

/**
 * The port through which handlers drive workflows: Step Functions in AWS, the embedded
 * aws-local-stepfunctions engine locally (local/workflow-engine.ts).
 */
export interface WorkflowClient {
  /** Starts an execution; `name` makes a retried start a no-op (an existing name is success). */
  startExecution(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<void>;
  /** Completes a waiting task; a token that already finished or timed out is ignored. */
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

export const STATE_MACHINE_ARN_ENV: Record<WorkflowName, string> = {
  freezeOrder: 'FREEZE_ORDER_STATE_MACHINE_ARN',
  stopPaymentInstruction: 'INSTRUCTION_STATE_MACHINE_ARN',
  holdTimer: 'HOLD_TIMER_STATE_MACHINE_ARN',
};

/** What Step Functions accepts as an execution name if CloudWatch logging of executions is to work. */
export const EXECUTION_NAME_PATTERN = /^[0-9A-Za-z_-]{1,80}$/;

/**
 * The execution name of an id: the id itself when it is already a valid name, otherwise its leading
 * run of valid characters (at most 15: the case id of every instruction, order and release id) and
 * the SHA-256 of the whole id in hex. Stable, so a retried start hits ExecutionAlreadyExists instead
 * of running twice; distinct ids never share a name. workflows/freeze-order.asl.json computes the same
 * name for an instruction with `States.Format('{}-{}', $.caseId, States.Hash($.instructionId, 'SHA-256'))`
 * (test/workflow/execution-names.test.ts holds the two equal).
 */
export function executionName(id: string): string {
  if (EXECUTION_NAME_PATTERN.test(id)) return id;
  const lead = (/^[0-9A-Za-z_-]*/.exec(id)?.[0] ?? '').slice(0, 15);
  return `${lead}-${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

const isFinishedToken = (error: unknown) =>
  error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken;

export class StepFunctionsWorkflowClient implements WorkflowClient {
  constructor(
    private readonly sfn: SFNClient,
    private readonly arns: Record<WorkflowName, string>,
  ) {}

  async startExecution(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.arns[workflow],
          name: executionName(name),
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      if (!isFinishedToken(error)) throw error;
    }
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      await this.sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    } catch (e) {
      if (!isFinishedToken(e)) throw e;
    }
  }
}

export function stepFunctionsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): StepFunctionsWorkflowClient {
  const arn = (w: WorkflowName) => {
    const value = env[STATE_MACHINE_ARN_ENV[w]];
    if (!value) throw new Error(`${STATE_MACHINE_ARN_ENV[w]} is not set`);
    return value;
  };
  return new StepFunctionsWorkflowClient(traced(new SFNClient({})), {
    freezeOrder: arn('freezeOrder'),
    stopPaymentInstruction: arn('stopPaymentInstruction'),
    holdTimer: arn('holdTimer'),
  });
}
