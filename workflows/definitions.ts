import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkflowName } from '../functions/adapters/workflow-client.ts';

/**
 * The one description of the workflows: their ASL files, their state names, and which function
 * each `${...FunctionArn}` substitution stands for. CDK, the local engine and the tests read this.
 */
export const stateNames = {
  freezeOrder: {
    fanOutInstructions: 'FanOutInstructions',
    startInstructionWorkflow: 'StartInstructionWorkflow',
    summarizeOrder: 'SummarizeOrder',
    leftToReconciler: 'LeftToReconciler',
    orderDone: 'OrderDone',
  },
  stopPaymentInstruction: {
    dispatchInstruction: 'DispatchInstruction',
    deliveryOutcome: 'DeliveryOutcome',
    waitBeforeRetry: 'WaitBeforeRetry',
    awaitConfirmation: 'AwaitConfirmation',
    recordOverdue: 'RecordOverdue',
    sendReminder: 'SendReminder',
    awaitConfirmationAfterReminder: 'AwaitConfirmationAfterReminder',
    escalateInstruction: 'EscalateInstruction',
    recordDispatchFailed: 'RecordDispatchFailed',
    escalateOnError: 'EscalateOnError',
    escalationFailed: 'EscalationFailed',
    instructionDone: 'InstructionDone',
  },
  holdTimer: {
    checkHold: 'CheckHold',
    waitForHoldEnd: 'WaitForHoldEnd',
    escalateOnError: 'EscalateOnError',
    escalationFailed: 'EscalationFailed',
    holdDone: 'HoldDone',
  },
} as const;

/** Workflow task functions: folder under functions/ and the substitution key naming its ARN. */
export const workflowFunctions = {
  dispatchInstruction: { handler: 'dispatch-instruction', substitution: 'DispatchInstructionFunctionArn' },
  registerTaskToken: { handler: 'register-task-token', substitution: 'RegisterTaskTokenFunctionArn' },
  recordOverdue: { handler: 'record-overdue', substitution: 'RecordOverdueFunctionArn' },
  escalateInstruction: { handler: 'escalate-instruction', substitution: 'EscalateInstructionFunctionArn' },
  recordDispatchFailed: {
    handler: 'record-dispatch-failed',
    substitution: 'RecordDispatchFailedFunctionArn',
  },
  summarizeOrder: { handler: 'summarize-order', substitution: 'SummarizeOrderFunctionArn' },
  checkHold: { handler: 'check-hold', substitution: 'CheckHoldFunctionArn' },
} as const;
export type WorkflowFunctionId = keyof typeof workflowFunctions;

/** The substitution of the instruction state machine's ARN inside the freeze-order machine. */
export const INSTRUCTION_STATE_MACHINE_SUBSTITUTION = 'InstructionStateMachineArn';

export const workflowFiles: Record<WorkflowName, string> = {
  freezeOrder: fileURLToPath(new URL('./freeze-order.asl.json', import.meta.url)),
  stopPaymentInstruction: fileURLToPath(new URL('./stop-payment-instruction.asl.json', import.meta.url)),
  holdTimer: fileURLToPath(new URL('./hold-timer.asl.json', import.meta.url)),
};

/**
 * The partition of every Task `Resource` (`arn:${Partition}:states:::...`): CDK binds it to the
 * stack's partition (aws, aws-cn, aws-us-gov), so no definition names one literally.
 */
export const PARTITION_SUBSTITUTION = 'Partition';

/** The ASL text as deployed: every `${...}` still in place for CDK's DefinitionSubstitutions. */
export function readWorkflowTemplate(workflow: WorkflowName): string {
  return readFileSync(workflowFiles[workflow], 'utf8');
}

/**
 * The ASL text as the local engine and the workflow tests run it: the partition bound to `aws` (the
 * engine validates Resource ARNs; it has no partition of its own), function names left as
 * placeholders (the engine binds Task states by name, see taskBindings).
 */
export function readWorkflowDefinition(workflow: WorkflowName): string {
  return readWorkflowTemplate(workflow).replaceAll(`\${${PARTITION_SUBSTITUTION}}`, 'aws');
}

/** Which Task state runs which function (for the local engine's bindings and the CDK assertions). */
export const taskBindings: Record<
  WorkflowName,
  Record<string, WorkflowFunctionId | 'startInstructionWorkflow'>
> = {
  freezeOrder: {
    [stateNames.freezeOrder.startInstructionWorkflow]: 'startInstructionWorkflow',
    [stateNames.freezeOrder.summarizeOrder]: 'summarizeOrder',
  },
  stopPaymentInstruction: {
    [stateNames.stopPaymentInstruction.dispatchInstruction]: 'dispatchInstruction',
    [stateNames.stopPaymentInstruction.awaitConfirmation]: 'registerTaskToken',
    [stateNames.stopPaymentInstruction.recordOverdue]: 'recordOverdue',
    [stateNames.stopPaymentInstruction.sendReminder]: 'dispatchInstruction',
    [stateNames.stopPaymentInstruction.awaitConfirmationAfterReminder]: 'registerTaskToken',
    [stateNames.stopPaymentInstruction.escalateInstruction]: 'escalateInstruction',
    [stateNames.stopPaymentInstruction.recordDispatchFailed]: 'recordDispatchFailed',
    [stateNames.stopPaymentInstruction.escalateOnError]: 'escalateInstruction',
  },
  holdTimer: {
    [stateNames.holdTimer.checkHold]: 'checkHold',
    [stateNames.holdTimer.escalateOnError]: 'escalateInstruction',
  },
};
