import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowName } from '../../functions/adapters/workflow-client.ts';

export interface AlarmsProps {
  stateMachines: Record<WorkflowName, sfn.IStateMachine>;
  streamDeadLetterQueue: sqs.IQueue;
  confirmationFunction: lambda.IFunction;
}

/**
 * What must wake someone up: a workflow that failed (an instruction may not have reached its bank),
 * a confirmation whose follow-the-money gave up (in the stream DLQ), a bank's confirmation that
 * errored. No actions yet: subscribe an SNS topic or a pager when there is one.
 */
export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const anyInFiveMinutes = {
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    for (const [workflow, machine] of Object.entries(props.stateMachines)) {
      this.alarms.push(
        new cloudwatch.Alarm(this, `${workflow}ExecutionsFailed`, {
          alarmDescription: `freezeflow: a ${workflow} execution failed`,
          metric: machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
          ...anyInFiveMinutes,
        }),
      );
    }

    this.alarms.push(
      new cloudwatch.Alarm(this, 'StreamDeadLetters', {
        alarmDescription:
          'freezeflow: follow-the-money gave up on a batch of confirmations (stream DLQ not empty)',
        metric: props.streamDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        ...anyInFiveMinutes,
      }),
    );

    this.alarms.push(
      new cloudwatch.Alarm(this, 'ConfirmationErrors', {
        alarmDescription: 'freezeflow: recording a bank confirmation failed',
        metric: props.confirmationFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        ...anyInFiveMinutes,
      }),
    );
  }
}
