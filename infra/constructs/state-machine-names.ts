import { ArnFormat, type Stack, Token } from 'aws-cdk-lib';
import type { WorkflowName } from '../../functions/adapters/workflow-client.ts';

/**
 * Functions need the state machines' ARNs (env vars, IAM) and the state machines need the functions'
 * ARNs (DefinitionSubstitutions): referencing both ways would be a CloudFormation cycle. So each state
 * machine gets a fixed, stack-scoped name, and the functions' side builds the ARN from that name as a
 * plain string (no reference to the state machine resource).
 */
export function stateMachineName(stack: Stack, workflow: WorkflowName): string {
  if (Token.isUnresolved(stack.stackName)) throw new Error('state machine names need a literal stack name');
  const name = `${stack.stackName}-${workflow[0]?.toUpperCase()}${workflow.slice(1)}`;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new Error(`invalid state machine name ${name}`);
  return name;
}

export function stateMachineArn(stack: Stack, workflow: WorkflowName): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName(stack, workflow),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export const workflowNames: readonly WorkflowName[] = ['freezeOrder', 'stopPaymentInstruction', 'holdTimer'];
