import { existsSync } from 'node:fs';
import { type Acknowledgment, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { API_URL_ENV, HOP_LIMIT_ENV } from '../../functions/adapters/dependencies.ts';
import { EVENT_BUS_ENV } from '../../functions/adapters/event-publisher.ts';
import { LOG_LEVEL_ENV } from '../../functions/adapters/logger.ts';
import { SECRET_PREFIX_ENV, SECRETS_KMS_KEY_ENV } from '../../functions/adapters/secret-store.ts';
import { freezeflowTable, TABLE_NAME_ENV } from '../../functions/adapters/table-definition.ts';
import { STATE_MACHINE_ARN_ENV, type WorkflowName } from '../../functions/adapters/workflow-client.ts';
import { CLAIM_NAME_ENV, type ClaimNames } from '../../functions/schemas/claims.ts';
import { streamConsumers } from '../../functions/schemas/stream-consumers.ts';
import { BUNDLE_SETTINGS } from '../bundle-settings.ts';
import {
  type FunctionFolder,
  type FunctionSpec,
  functionCatalog,
  functionFolders,
  LAMBDA_ARCHITECTURE,
} from '../function-catalog.ts';
import { handlerEntry, lockFile, repoRoot } from '../paths.ts';
import { cfnRef } from './cfn-ref.ts';
import { stateMachineArn } from './state-machine-names.ts';

/**
 * esbuild options of every function. `externalModules: []` bundles the pinned @aws-sdk/* v3 of
 * package-lock.json instead of the SDK that the nodejs22.x runtime happens to ship: the code runs
 * exactly what the tests ran (aws-sdk-client-mock, error classes such as ExecutionAlreadyExists), and
 * a runtime SDK update cannot change behaviour under us. Minify + tree shaking keep the bundle small.
 * Format, target and banner are infra/bundle-settings.ts, shared with the local sandboxes.
 */
export const bundlingOptions: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: BUNDLE_SETTINGS.target,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: [...BUNDLE_SETTINGS.mainFields],
  banner: BUNDLE_SETTINGS.banner,
  externalModules: [],
};

/**
 * What every freezeflow function shares, whichever construct makes it (this one, the Cognito trigger
 * in identity.ts): its code (the handler of functions/<folder>/, or placeholder code when the synth
 * skips bundling), runtime, architecture, tracing and bundling.
 */
export function functionBase(folder: string, placeholder: boolean) {
  return {
    ...(placeholder
      ? { code: lambda.Code.fromInline('// not bundled'), handler: 'index.handler' }
      : { entry: handlerEntry(folder), handler: 'handler' }),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: LAMBDA_ARCHITECTURE === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
    tracing: lambda.Tracing.ACTIVE,
    projectRoot: repoRoot,
    depsLockFilePath: lockFile,
    bundling: bundlingOptions,
  } satisfies Partial<nodejs.NodejsFunctionProps>;
}

/** Every workflow Task's TimeoutSeconds exceeds this (workflows/*.asl.json), so retries never overlap. */
export const WORKFLOW_LAMBDA_TIMEOUT_SECONDS = 60;

const timeouts: Record<FunctionSpec['trigger'], Duration> = {
  // API Gateway HTTP APIs give up after 30 s
  http: Duration.seconds(29),
  workflow: Duration.seconds(WORKFLOW_LAMBDA_TIMEOUT_SECONDS),
  tableStream: Duration.seconds(60),
  // One sweep takes at most RECONCILE limit entries; a sweep cut short resumes at the next one.
  schedule: Duration.seconds(300),
};

/** How often the reconciler sweeps in AWS (its grace is in functions/reconcile/handler.ts). */
export const RECONCILE_EVERY = Duration.minutes(2);

const STATES_TASK_RESPONSE = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];

/** Secrets Manager actions per catalog `signingSecrets` level. */
export const SIGNING_SECRET_ACTIONS: Record<Exclude<FunctionSpec['signingSecrets'], 'none'>, string[]> = {
  read: ['secretsmanager:GetSecretValue'],
  write: [
    'secretsmanager:CreateSecret',
    'secretsmanager:PutSecretValue',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetSecretValue',
  ],
};

/**
 * The ARN pattern of every bank's signing secret: `<prefix>/banks/*`. A wildcard by necessity:
 * register-bank creates one secret per bank at run time (their names are not known at deploy time)
 * and Secrets Manager appends a random `-XXXXXX` to every secret ARN. It covers nothing else.
 */
export function signingSecretsArn(stack: Stack, prefix: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    resourceName: `${prefix}/banks/*`,
  });
}

export interface FunctionsProps {
  table: dynamodb.ITable;
  /** Encrypts the stream consumer's dead-letter queue and the banks' signing secrets (the table's key). */
  key: kms.IKey;
  /** Name prefix of the banks' signing secrets in Secrets Manager (FREEZEFLOW_SECRET_PREFIX). */
  signingSecretPrefix: string;
  logRetention: logs.RetentionDays;
  /** The domain event bus: catalog entries with `publishesEvents` may put events on it. */
  eventBus: events.IEventBus;
  /** Where the tokens carry role / agencyId / bankId (functions/schemas/claims.ts). */
  claimNames: ClaimNames;
}

/**
 * One NodejsFunction per entry of the function catalog, with exactly the catalog's grants.
 * State machine ARNs are built from their fixed names (see state-machine-names.ts).
 */
export class Functions extends Construct {
  private readonly byFolder = new Map<FunctionFolder, nodejs.NodejsFunction>();
  /** On-failure destination of the table stream consumer (batches it gave up on). */
  readonly streamDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const workflows = Object.keys(STATE_MACHINE_ARN_ENV) as WorkflowName[];
    const arns = Object.fromEntries(workflows.map((w) => [w, stateMachineArn(stack, w)])) as Record<
      WorkflowName,
      string
    >;

    this.streamDeadLetterQueue = new sqs.Queue(this, 'StreamDeadLetterQueue', {
      // Its messages point at confirmations whose follow-ups failed: they outlive the stack
      // (docs/runbook.md says how to redrive them).
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.streamDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is itself the dead-letter queue (on-failure destination of the stream consumer)',
    });

    for (const folder of functionFolders) {
      const spec = functionCatalog[folder];
      const fn = this.createFunction(folder, spec, props, arns);
      this.byFolder.set(folder, fn);
      this.grant(fn, spec, props, arns);
      this.connectTrigger(fn, spec, props.table);
    }
  }

  /** The function built from functions/<folder>/handler.ts. */
  get(folder: FunctionFolder): nodejs.NodejsFunction {
    const fn = this.byFolder.get(folder);
    if (!fn) throw new Error(`function ${folder} is not deployed`);
    return fn;
  }

  /**
   * Every function learns the API's absolute https:// URL (links sent to banks, e.g. confirmUrl).
   * Set after the API exists: the API's integrations reference the functions, not the other way.
   */
  setApiUrl(url: string): void {
    for (const fn of this.byFolder.values()) fn.addEnvironment(API_URL_ENV, url);
  }

  has(folder: FunctionFolder): boolean {
    return this.byFolder.has(folder);
  }

  get all(): ReadonlyMap<FunctionFolder, nodejs.NodejsFunction> {
    return this.byFolder;
  }

  private createFunction(
    folder: FunctionFolder,
    spec: FunctionSpec,
    props: FunctionsProps,
    arns: Record<WorkflowName, string>,
  ): nodejs.NodejsFunction {
    const id = pascal(folder);
    const entry = handlerEntry(folder);
    // Unit tests skip bundling (context aws:cdk:bundling-stacks=[]) while some handlers are still
    // being written: then a missing entry gets placeholder code. A real synth bundles, and a
    // missing handler fails it.
    const placeholder = !existsSync(entry) && !Stack.of(this).bundlingRequired;
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: props.logRetention });
    // An explicit role instead of AWSLambdaBasicExecutionRole: write to this function's log group only.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `freezeflow ${folder}: the grants of infra/function-catalog.ts`,
    });
    logGroup.grantWrite(role);
    const fn = new nodejs.NodejsFunction(this, id, {
      description: `freezeflow ${folder} (${spec.trigger})`,
      ...functionBase(folder, placeholder),
      memorySize: spec.memoryMb,
      timeout: timeouts[spec.trigger],
      role,
      logGroup,
      environment: {
        [TABLE_NAME_ENV]: props.table.tableName,
        // Every handler builds its workflow client with all the ARNs (adapters/dependencies.ts), so
        // every function gets them; an ARN in the environment grants nothing (IAM below does).
        ...Object.fromEntries(
          Object.entries(arns).map(([w, arn]) => [STATE_MACHINE_ARN_ENV[w as WorkflowName], arn]),
        ),
        // Like the ARNs: every handler builds its secret store; only IAM (below) lets it read or write.
        [SECRET_PREFIX_ENV]: props.signingSecretPrefix,
        [HOP_LIMIT_ENV]: '6',
        [CLAIM_NAME_ENV.role]: props.claimNames.role,
        [CLAIM_NAME_ENV.agencyId]: props.claimNames.agencyId,
        [CLAIM_NAME_ENV.bankId]: props.claimNames.bankId,
        [LOG_LEVEL_ENV]: 'INFO',
        POWERTOOLS_SERVICE_NAME: 'freezeflow',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x on purpose: the bundle targets node22 and the code is tested on the Node 20/22 API set (tsconfig ES2023); moving to nodejs24.x is a deliberate upgrade, not a silent one',
    });
    this.acknowledgeGrants(role, spec, props);
    return fn;
  }

  /** The wildcards that CDK's own grants produce for this role, each with its reason. */
  private acknowledgeGrants(role: iam.Role, spec: FunctionSpec, props: FunctionsProps): void {
    const acks: Acknowledgment[] = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments/PutTelemetryRecords (active tracing) and dynamodb:ListStreams (stream consumers) support no resource-level permissions',
      },
    ];
    if (spec.table !== 'none') {
      acks.push({
        id: `AwsSolutions-IAM5[Resource::${cfnRef(props.table, 'Arn')}/index/*]`,
        reason: `Query on this table's own GSIs (${freezeflowTable.globalSecondaryIndexes.map((g) => g.indexName).join(', ')}); index/* names only this table's indexes`,
      });
    }
    if (spec.table === 'readWrite' || spec.trigger === 'tableStream' || spec.signingSecrets === 'write') {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        acks.push({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${action} on the table's own customer-managed key only (CDK's grant for writing encrypted items, dead letters and bank signing secrets)`,
        });
      }
    }
    if (spec.signingSecrets !== 'none') {
      const arn = signingSecretsArn(Stack.of(role), props.signingSecretPrefix);
      acks.push({
        id: `AwsSolutions-IAM5[Resource::${nagArn(Stack.of(role), arn)}]`,
        reason:
          "the banks' signing secrets: one secret per bank, created by register-bank at run time (names unknown at deploy time) and suffixed -XXXXXX by Secrets Manager; the pattern covers <prefix>/banks/ only",
      });
    }
    Validations.of(role).acknowledge(...acks);
  }

  private grant(
    fn: nodejs.NodejsFunction,
    spec: FunctionSpec,
    props: FunctionsProps,
    arns: Record<WorkflowName, string>,
  ): void {
    if (spec.table === 'read') props.table.grantReadData(fn);
    if (spec.table === 'readWrite') props.table.grantReadWriteData(fn);
    if (spec.publishesEvents) {
      // Only publishers learn the bus name (the others' dependencies refuse to publish).
      fn.addEnvironment(EVENT_BUS_ENV, props.eventBus.eventBusName);
      props.eventBus.grantPutEventsTo(fn);
    }
    if (spec.signingSecrets !== 'none') {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: SIGNING_SECRET_ACTIONS[spec.signingSecrets],
          resources: [signingSecretsArn(Stack.of(this), props.signingSecretPrefix)],
        }),
      );
      // The secrets are encrypted with the stack's customer-managed key (not aws/secretsmanager).
      if (spec.signingSecrets === 'write') {
        fn.addEnvironment(SECRETS_KMS_KEY_ENV, props.key.keyArn);
        props.key.grantEncryptDecrypt(fn);
      } else {
        props.key.grantDecrypt(fn);
      }
    }
    if (spec.startExecution.length) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: spec.startExecution.map((w) => arns[w]),
        }),
      );
    }
    if (spec.taskResponse.length) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: STATES_TASK_RESPONSE,
          resources: spec.taskResponse.map((w) => arns[w]),
        }),
      );
    }
  }

  private connectTrigger(fn: nodejs.NodejsFunction, spec: FunctionSpec, table: dynamodb.ITable): void {
    if (spec.trigger === 'schedule') {
      const role = new iam.Role(this, `${fn.node.id}ScheduleRole`, {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
        description: 'EventBridge Scheduler: invoke the reconciler',
      });
      new scheduler.Schedule(this, `${fn.node.id}Schedule`, {
        description: 'freezeflow reconciler: carries on every open instruction whose next step is overdue',
        schedule: scheduler.ScheduleExpression.rate(RECONCILE_EVERY),
        target: new schedulerTargets.LambdaInvoke(fn, { retryAttempts: 2, role }),
      });
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${cfnRef(fn, 'Arn')}:*]`,
        reason: "lambda:InvokeFunction on the reconciler's own versions and aliases (CDK's grantInvoke)",
      });
    }
    if (spec.trigger === 'tableStream') {
      if (!spec.streamConsumer) throw new Error(`${fn.node.id}: a table stream consumer names its records`);
      const consumer = streamConsumers[spec.streamConsumer];
      fn.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: 10,
          bisectBatchOnError: true,
          retryAttempts: 10,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(this.streamDeadLetterQueue),
          // Only the records this consumer acts on (functions/schemas/stream-consumers.ts).
          filters: [
            lambda.FilterCriteria.filter({
              eventName: lambda.FilterRule.isEqual(consumer.eventName),
              dynamodb: {
                Keys: {
                  [freezeflowTable.sortKey.name]: { S: lambda.FilterRule.beginsWith(consumer.sortKeyPrefix) },
                },
              },
            }),
          ],
        }),
      );
    }
  }
}

function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`)
    .join('');
}

/** How cdk-nag spells a resource in its finding ids: pseudo parameters as `<AWS::Region>` etc. */
function nagArn(stack: Stack, arn: string): string {
  const resolved: unknown = stack.resolve(arn);
  const parts = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!parts) return String(resolved);
  return parts[1]
    .map((part) =>
      typeof part === 'string' ? part : `<${String((part as { Ref?: string }).Ref ?? JSON.stringify(part))}>`,
    )
    .join(parts[0]);
}
