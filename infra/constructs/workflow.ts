import { Aws, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowName } from '../../functions/adapters/workflow-client.ts';
import {
  INSTRUCTION_STATE_MACHINE_SUBSTITUTION,
  PARTITION_SUBSTITUTION,
  readWorkflowTemplate,
  workflowFunctions,
} from '../../workflows/definitions.ts';
import type { Functions } from './functions.ts';
import { stateMachineName } from './state-machine-names.ts';

/** The `${Key}` DefinitionSubstitutions an ASL text uses. */
export function substitutionKeys(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string))];
}

export interface WorkflowProps {
  functions: Functions;
  logRetention: logs.RetentionDays;
}

/**
 * The Standard state machines of workflows/*.asl.json, inlined (DefinitionBody.fromString, so
 * the template shows them) with every `${...}` substitution bound: task functions to their ARNs, the
 * instruction machine to its ARN inside the freeze-order machine. CDK cannot see through
 * substitutions, so every permission is granted here explicitly.
 */
export class Workflow extends Construct {
  readonly stateMachines: Record<WorkflowName, sfn.StateMachine>;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const instruction = this.stateMachine('stopPaymentInstruction', props, {});
    const freezeOrder = this.stateMachine('freezeOrder', props, {
      [INSTRUCTION_STATE_MACHINE_SUBSTITUTION]: instruction.stateMachineArn,
    });
    // Fire-and-forget arn:aws:states:::states:startExecution (no .sync): StartExecution only.
    instruction.grantStartExecution(freezeOrder);
    const holdTimer = this.stateMachine('holdTimer', props, {});
    this.stateMachines = { freezeOrder, stopPaymentInstruction: instruction, holdTimer };
  }

  private stateMachine(
    workflow: WorkflowName,
    props: WorkflowProps,
    others: Record<string, string>,
  ): sfn.StateMachine {
    const asl = readWorkflowTemplate(workflow);
    const substitutions: Record<string, string> = {};
    const invoked: lambda.IFunction[] = [];
    for (const key of substitutionKeys(asl)) {
      const task = Object.values(workflowFunctions).find((f) => f.substitution === key);
      const other = others[key];
      if (key === PARTITION_SUBSTITUTION) {
        // A literal (aws-cn) when the stack has a region, AWS::Partition when env-agnostic.
        substitutions[key] = Stack.of(this).partition;
      } else if (task) {
        const fn = props.functions.get(task.handler);
        substitutions[key] = fn.functionArn;
        invoked.push(fn);
      } else if (other !== undefined) {
        substitutions[key] = other;
      } else {
        throw new Error(`${workflow}: no value for the ASL substitution \${${key}}`);
      }
    }

    const name = stateMachineName(Stack.of(this), workflow);
    const id = `${workflow[0]?.toUpperCase()}${workflow.slice(1)}`;
    const machine = new sfn.StateMachine(this, id, {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(asl),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        // vendedlogs prefix: keeps the CloudWatch Logs resource policy small
        // Under /aws/vendedlogs/ (keeps CloudWatch Logs' resource policy small), suffixed with the
        // stack's own id: a retained group of a deleted stack never blocks a new one of that name.
        destination: new logs.LogGroup(this, `${id}Logs`, {
          logGroupName: Fn.join('', [
            `/aws/vendedlogs/states/${name}-`,
            Fn.select(2, Fn.split('/', Aws.STACK_ID)),
          ]),
          retention: props.logRetention,
        }),
        level: sfn.LogLevel.ALL,
        // execution data holds account numbers: log the events, never their input/output
        includeExecutionData: false,
      },
    });
    // Like fn.grantInvoke(machine), without the `<arn>:*` (versions/aliases) that the ASL never calls.
    if (invoked.length) {
      machine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: invoked.map((f) => f.functionArn),
        }),
      );
    }
    Validations.of(machine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, ...) and X-Ray (PutTraceSegments, ...) support no resource-level permissions',
    });
    return machine;
  }
}
