import { ArnFormat, Aspects, Aws, Duration, type IAspect, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { METRIC_NAMESPACE, metricNames } from '../../functions/adapters/metrics.ts';
import type { WorkflowName } from '../../functions/adapters/workflow-client.ts';

export interface ObservabilityProps {
  /** Who is told when an alarm fires (an email subscription of the alarm topic). */
  alarmEmail?: string;
  logRetention: logs.RetentionDays;
}

/**
 * What operators see and are told (docs/runbook.md): one customer-managed key for the log groups and
 * the alarm topic, every log group of the stack encrypted with it and kept for the stack's retention,
 * every alarm of the stack sending to the topic (ALARM and OK), and a dashboard.
 * Applied as aspects, so a function or alarm added later is covered without a line here.
 */
export class Observability extends Construct {
  readonly key: kms.Key;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'OperationsKey', {
      description: 'freezeflow: log groups and the alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch Logs encrypts each group with the key, bound to log groups of this account and region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.${Aws.URL_SUFFIX}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted topic.
    this.key.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );

    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'freezeflow alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    Aspects.of(stack).add(new EncryptedLogGroups(this.key, props.logRetention));
    Aspects.of(stack).add(new AlarmsNotify(this.alarmTopic));
  }

  /** The dashboard of the runbook: domain metrics (EMF), workflows, the stream, functions' errors. */
  dashboard(props: {
    stateMachines: Record<WorkflowName, sfn.IStateMachine>;
    streamDeadLetterQueue: sqs.IQueue;
    functions: ReadonlyMap<string, lambda.IFunction>;
  }): cloudwatch.Dashboard {
    const m = (metricName: string, statistic = 'Sum', dimensionsMap?: Record<string, string>) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        statistic,
        period: Duration.minutes(5),
        dimensionsMap: { service: 'freezeflow', ...dimensionsMap },
      });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Instructions',
        left: [
          m(metricNames.instructionsDelivered),
          m(metricNames.instructionsFailed),
          m(metricNames.instructionsOverdue),
          m(metricNames.instructionsEscalated),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Confirmations by result',
        left: [m(metricNames.confirmations)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Delivery latency (ms)',
        left: [m(metricNames.deliveryLatency, 'p50'), m(metricNames.deliveryLatency, 'p99')],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Funds frozen (minor units, per currency)',
        left: [m(metricNames.fundsFrozen)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Executions failed',
        left: Object.values(props.stateMachines).map((sm) =>
          sm.metricFailed({ period: Duration.minutes(5) }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Stream dead letters',
        left: [props.streamDeadLetterQueue.metricApproximateNumberOfMessagesVisible()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: [...props.functions.values()].map((fn) => fn.metricErrors({ period: Duration.minutes(5) })),
        width: 24,
      }),
    );
    return dashboard;
  }
}

/** Every log group: the operations key, and the stack's retention unless it has one. */
class EncryptedLogGroups implements IAspect {
  constructor(
    private readonly key: kms.IKey,
    private readonly retention: logs.RetentionDays,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof logs.CfnLogGroup)) return;
    node.kmsKeyId ??= this.key.keyArn;
    node.retentionInDays ??= this.retention;
    node.node.addDependency(this.key);
  }
}

/** Every alarm tells the topic, when it fires and when it is OK again. */
class AlarmsNotify implements IAspect {
  private readonly action: cloudwatchActions.SnsAction;

  constructor(topic: sns.ITopic) {
    this.action = new cloudwatchActions.SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm)) return;
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
